/** Where the rules below come from; error messages point there. */
export const BUCKET_NAMING_URL = 'https://cloud.google.com/storage/docs/buckets#naming';

/**
 * Why `name` cannot be a Cloud Storage bucket, or undefined when it can (BUCKET_NAMING_URL): lowercase
 * letters, digits, `-`, `_` and `.`; starts and ends with a letter or digit; 3–63 characters, or up
 * to 222 with dots, each dot-separated part at most 63 (and none empty); not a dotted-decimal IP
 * address; not starting with "goog"; not containing "google" or a close misspelling ("g00gle").
 */
export function bucketNameProblem(name: string): string | undefined {
  if (!/^[a-z0-9._-]*$/.test(name)) return 'only lowercase letters, digits, dashes, underscores and dots are allowed';
  if (!/^[a-z0-9]/.test(name) || !/[a-z0-9]$/.test(name)) return 'it must start and end with a letter or digit';
  const max = name.includes('.') ? 222 : 63;
  if (name.length < 3 || name.length > max) return `it must be 3 to ${max} characters long`;
  const parts = name.split('.');
  if (parts.some((p) => p.length === 0 || p.length > 63))
    return 'each dot-separated part must be 1 to 63 characters long';
  if (parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255))
    return 'it must not be an IP address';
  if (name.startsWith('goog')) return 'it must not start with "goog"';
  if (/g[o0]{2,}g[l1]e/.test(name)) return 'it must not contain "google" or a misspelling of it';
  return undefined;
}
