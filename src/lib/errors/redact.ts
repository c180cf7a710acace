/** Strips credentials from text before it is printed or logged: URIs' user:password, tokens, keys. */
export function redact(text: string): string {
  return text
    .replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+(:[^/\s@]*)?@/gi, '$1***@')
    .replace(/\b(bearer|token|password|secret|apikey|api_key)(["']?\s*[:=]\s*["']?|\s+)[^\s"',}]+/gi, '$1$2***')
    .replace(/ya29\.[\w.-]+/g, '***');
}
