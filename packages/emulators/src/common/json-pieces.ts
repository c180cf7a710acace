/** A piece is cut once it reaches this many characters. */
const PIECE_CHARS = 16 * 1024;

const hasOwn = Object.prototype.hasOwnProperty;

/** `Object.values(o).some(Array.isArray)` without the array of values: most bodies are small and have none. */
function hasArrayValue(o: object): boolean {
  for (const key in o) if (hasOwn.call(o, key) && Array.isArray((o as Record<string, unknown>)[key])) return true;
  return false;
}

/**
 * `JSON.stringify(body)` in pieces of about 16 K characters: the arrays at a body's top level (a
 * listing page's items) are serialized element by element. One large JSON string is fresh memory
 * (V8's large-object space) on every call, flattened and encoded from there, which costs several
 * times more per item than small strings do.
 */
export function jsonPieces(body: unknown): string[] {
  if (typeof body !== 'object' || body === null || !(Array.isArray(body) || hasArrayValue(body)))
    return [JSON.stringify(body)];
  const pieces: string[] = [];
  let text = '';
  const add = (more: string) => {
    text += more;
    if (text.length >= PIECE_CHARS) {
      pieces.push(text);
      text = '';
    }
  };
  const addArray = (array: unknown[]) => {
    add('[');
    array.forEach((item, i) => add(`${i ? ',' : ''}${JSON.stringify(item) ?? 'null'}`));
    add(']');
  };
  if (Array.isArray(body)) addArray(body);
  else {
    let separator = '{';
    for (const [key, value] of Object.entries(body)) {
      if (Array.isArray(value)) {
        add(`${separator}${JSON.stringify(key)}:`);
        addArray(value);
      } else {
        const json = JSON.stringify(value) as string | undefined;
        // As in JSON.stringify, a key whose value has no JSON form (undefined, a function) is left out.
        if (json === undefined) continue;
        add(`${separator}${JSON.stringify(key)}:${json}`);
      }
      separator = ',';
    }
    add(separator === '{' ? '{}' : '}');
  }
  pieces.push(text);
  return pieces;
}
