import fastJsonPatch, { type Operation } from 'fast-json-patch';

/** Why a JSON patch could not be applied; the API server answers 422. */
export class PatchError extends Error {}

/**
 * JSON Patch (RFC 6902) through fast-json-patch, on a copy: operations validated (a missing `value` or `from` is an
 * error), `__proto__` and `constructor/prototype` refused, and array indices as RFC 6901 §4 writes them ("0" or a
 * number without leading zeros), which the library alone lets through.
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw new PatchError('json patch must be an array of operations');
  try {
    return fastJsonPatch.applyPatch(target, ops as Operation[], strictValidator, false, true).newDocument;
  } catch (err) {
    throw new PatchError((err as Error).message.split('\n')[0]);
  }
}

function strictValidator(op: Operation, index: number, document: unknown, existingPath: string): void {
  fastJsonPatch.validator(op, index, document, existingPath);
  for (const pointer of [op.path, 'from' in op ? op.from : undefined]) {
    if (typeof pointer !== 'string' || pointer === '') continue;
    let node = document;
    for (const token of pointer.slice(1).split('/')) {
      if (Array.isArray(node) && /^0\d+$/.test(token))
        throw new PatchError(`array index ${token} in ${pointer} has a leading zero (RFC 6901 §4)`);
      node = node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[unescape(token)] : undefined;
    }
  }
}

const unescape = (token: string) => token.replace(/~1/g, '/').replace(/~0/g, '~');
