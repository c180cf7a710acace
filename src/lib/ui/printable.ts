/**
 * Characters that would break the one-line output or change how it reads: C0 and C1 controls (a carriage
 * return rewrites the line, ESC starts a colour), line and paragraph separators, bidi overrides, and lone
 * surrogates (printed as U+FFFD, so two different names would look alike).
 */
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
const NOT_ESCAPED_BY_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A name (id, key, field) in double quotes, every unprintable character escaped as JSON would write it. */
export function quote(text: string): string {
  return JSON.stringify(text).replace(
    NOT_ESCAPED_BY_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** A name as it is when it prints safely on one line; quoted and escaped (see `quote`) when it would not. */
export const printable = (text: string) => (UNPRINTABLE.test(text) ? quote(text) : text);
