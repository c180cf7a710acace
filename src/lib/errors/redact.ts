// Strips credentials from text before it is printed or logged: error messages (the MongoDB driver's may echo a
// URI, fs errors a path), GWCTL_DEBUG=1 stacks, the --json error envelope, audit records. It recognises the
// places a secret sits (a URI's user:password@, a secret-named parameter, an Authorization header, token and
// key formats) rather than words, so "Password contains unescaped characters" reads as written.

const HIDDEN = '***';

/**
 * A URI, or what path normalisation leaves of one (`mongodb:/user:pw@host`): the scheme, its slashes, then
 * everything up to a space or a quote (a password may hold `,` `/` or `)`).
 */
const URI = /\b([a-z][a-z0-9+.-]*):(\/\/?)([^\s"'`<>]+)/gi;

/** `name=value` outside URIs (env files, logfmt, connection strings) and `"name": "value"` in JSON. */
const ASSIGNMENT = /(^|[\s,;&?{([])([a-z][\w.-]*)=([^\s&,;"'`)}\]]+)/gi;
const JSON_MEMBER = /("([a-z][\w.-]*)"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

const TOKENS: [RegExp, string][] = [
  // Authorization / Proxy-Authorization headers: keep the scheme, hide the credentials.
  [
    /\b((?:proxy-)?authorization\s*[:=]\s*(?:bearer|basic|digest|negotiate|ntlm|token|oauth)\s+)[^\s"',;]+/gi,
    `$1${HIDDEN}`,
  ],
  // A bearer token on its own; short words after "Bearer" ("Bearer token expired") are left alone.
  [/\b(bearer\s+)[\w~+/.-]{16,}=*/gi, `$1${HIDDEN}`],
  [/\bya29\.[\w.-]+/g, HIDDEN], // Google OAuth access token
  [/\b1\/\/0[\w-]{20,}/g, HIDDEN], // Google OAuth refresh token
  [/\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]*/g, HIDDEN], // JWT
  [/(-----BEGIN [A-Z ]*PRIVATE KEY-----)[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g, `$1${HIDDEN}$2`],
];

/** Parameter and field names whose values are secrets (or user names, which are not echoed either). */
export function isSecretName(name: string): boolean {
  const n = name.toLowerCase().replace(/[-_.]/g, '');
  return (
    /(pass(word|wd|phrase)?|pwd|secret|token|signature|credentials?|privatekey|apikey|accesskey|authmechanismproperties|sessionid|cookie)$/.test(
      n,
    ) || /^(key|sig|auth|user|username|proxyuser|proxyusername|login|code)$/.test(n)
  );
}

export function redact(text: string): string {
  let out = text.replace(URI, (_, scheme: string, slashes: string, rest: string) => {
    return `${scheme}:${slashes}${redactUriRest(scheme.toLowerCase(), rest)}`;
  });
  out = out
    .replace(ASSIGNMENT, (m, lead: string, name: string) => (isSecretName(name) ? `${lead}${name}=${HIDDEN}` : m))
    .replace(JSON_MEMBER, (m, head: string, name: string) => (isSecretName(name) ? `${head}"${HIDDEN}"` : m));
  for (const [re, replacement] of TOKENS) out = out.replace(re, replacement);
  return out;
}

/** What follows `scheme://`: the userinfo (user and password alike) and secret query parameters hidden. */
function redactUriRest(scheme: string, rest: string): string {
  // RFC 3986: userinfo ends at the last @ of the authority. A MongoDB URI is redacted up to its last @
  // anywhere: the driver refuses an unescaped @, / or : in a password, but the text it came from may hold one.
  const authorityEnd = scheme.startsWith('mongodb') ? rest.length : firstIndexOf(rest, '/?#');
  const at = rest.lastIndexOf('@', authorityEnd - 1);
  let tail = at >= 0 ? `${HIDDEN}@${rest.slice(at + 1)}` : rest;
  const query = tail.search(/[?#]/);
  if (query >= 0) {
    tail =
      tail.slice(0, query) +
      tail
        .slice(query)
        .replace(/([?&;#])([^=&;#]+)=([^&;#]*)/g, (m, sep: string, name: string) =>
          isSecretName(decodeSafely(name)) ? `${sep}${name}=${HIDDEN}` : m,
        );
  }
  return tail;
}

function firstIndexOf(text: string, chars: string): number {
  for (let i = 0; i < text.length; i++) if (chars.includes(text[i]!)) return i;
  return text.length;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
