/**
 * Standard base64 (RFC 4648 §4) as the signed-note specs use it. Decoding is strict: padding required,
 * no other characters, and only the canonical spelling (zero pad bits), so one byte string has one encoding.
 * Buffer.from(s, 'base64') alone would skip invalid characters and accept missing padding.
 */

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/** The bytes `text` encodes, or undefined if it is not canonical standard base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  return bytes.toString('base64') === text ? bytes : undefined;
}
