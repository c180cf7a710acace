/** Syntax tree of the CEL subset the emulator evaluates (see cel.ts for what is supported). */
export type CelNode =
  | { t: 'lit'; v: unknown }
  | { t: 'ident'; name: string }
  | { t: 'select'; obj: CelNode; field: string }
  | { t: 'index'; obj: CelNode; index: CelNode }
  | { t: 'call'; fn: string; target?: CelNode; args: CelNode[] }
  | { t: 'unary'; op: '!' | '-'; arg: CelNode }
  | { t: 'binary'; op: string; left: CelNode; right: CelNode }
  | { t: 'cond'; test: CelNode; then: CelNode; else: CelNode }
  | { t: 'list'; items: CelNode[] }
  | { t: 'map'; entries: [CelNode, CelNode][] };

export class CelError extends Error {}

type Token = { k: 'num' | 'str' | 'id' | 'op'; v: string | number };

const OPERATORS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '!',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '.',
  ',',
  '?',
  ':',
  '+',
  '-',
  '*',
  '/',
  '%',
];
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const num = /^\d+(\.\d+)?([eE][+-]?\d+)?[uU]?/.exec(src.slice(i));
    if (num) {
      out.push({ k: 'num', v: Number(num[0].replace(/[uU]$/, '')) });
      i += num[0].length;
      continue;
    }
    if (ch === "'" || ch === '"') {
      let s = '';
      i++;
      while (i < src.length && src[i] !== ch) {
        if (src[i] === '\\') {
          const e = ESCAPES[src[i + 1]];
          if (e === undefined) throw new CelError(`unsupported escape \\${src[i + 1]}`);
          s += e;
          i += 2;
        } else s += src[i++];
      }
      if (i >= src.length) throw new CelError('unterminated string literal');
      i++;
      out.push({ k: 'str', v: s });
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      out.push({ k: 'id', v: id[0] });
      i += id[0].length;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new CelError(`Syntax error: token recognition error at: '${ch}'`);
    out.push({ k: 'op', v: op });
    i += op.length;
  }
  return out;
}

/** Recursive-descent parser following CEL's precedence: ?: then || then && then relations then + - then * / %. */
export function parseCel(src: string): CelNode {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = () => tokens[pos];
  const isOp = (v: string) => peek()?.k === 'op' && peek()?.v === v;
  const eat = (v: string) => {
    if (!isOp(v)) throw new CelError(`Syntax error: expected '${v}' at token ${pos}`);
    pos++;
  };

  const expr = (): CelNode => {
    const test = or();
    if (!isOp('?')) return test;
    pos++;
    const then = expr();
    eat(':');
    return { t: 'cond', test, then, else: expr() };
  };
  const binaryLevel = (ops: string[], next: () => CelNode, keyword?: string) => (): CelNode => {
    let left = next();
    for (;;) {
      const tok = peek();
      const op =
        tok?.k === 'op' && ops.includes(tok.v as string)
          ? (tok.v as string)
          : keyword && tok?.k === 'id' && tok.v === keyword
            ? keyword
            : undefined;
      if (!op) return left;
      pos++;
      left = { t: 'binary', op, left, right: next() };
    }
  };
  const unary = (): CelNode => {
    if (isOp('!') || isOp('-')) {
      const op = peek().v as '!' | '-';
      pos++;
      return { t: 'unary', op, arg: unary() };
    }
    return member();
  };
  const mul = binaryLevel(['*', '/', '%'], unary);
  const add = binaryLevel(['+', '-'], mul);
  const rel = binaryLevel(['==', '!=', '<', '<=', '>', '>='], add, 'in');
  const and = binaryLevel(['&&'], rel);
  const or = binaryLevel(['||'], and);

  const args = (close: string): CelNode[] => {
    const out: CelNode[] = [];
    while (!isOp(close)) {
      out.push(expr());
      if (!isOp(close)) eat(',');
    }
    pos++;
    return out;
  };
  const member = (): CelNode => {
    let node = primary();
    for (;;) {
      if (isOp('.')) {
        pos++;
        const name = peek();
        if (name?.k !== 'id') throw new CelError('Syntax error: expected field name after "."');
        pos++;
        if (isOp('(')) {
          pos++;
          node = { t: 'call', fn: name.v as string, target: node, args: args(')') };
        } else node = { t: 'select', obj: node, field: name.v as string };
      } else if (isOp('[')) {
        pos++;
        const index = expr();
        eat(']');
        node = { t: 'index', obj: node, index };
      } else return node;
    }
  };
  const primary = (): CelNode => {
    const tok = peek();
    if (!tok) throw new CelError('Syntax error: unexpected end of expression');
    pos++;
    if (tok.k === 'num' || tok.k === 'str') return { t: 'lit', v: tok.v };
    if (tok.k === 'id') {
      if (tok.v === 'true' || tok.v === 'false') return { t: 'lit', v: tok.v === 'true' };
      if (tok.v === 'null') return { t: 'lit', v: null };
      if (isOp('(')) {
        pos++;
        return { t: 'call', fn: tok.v as string, args: args(')') };
      }
      return { t: 'ident', name: tok.v as string };
    }
    if (tok.v === '(') {
      const inner = expr();
      eat(')');
      return inner;
    }
    if (tok.v === '[') return { t: 'list', items: args(']') };
    if (tok.v === '{') {
      const entries: [CelNode, CelNode][] = [];
      while (!isOp('}')) {
        const k = expr();
        eat(':');
        entries.push([k, expr()]);
        if (!isOp('}')) eat(',');
      }
      pos++;
      return { t: 'map', entries };
    }
    throw new CelError(`Syntax error: unexpected '${String(tok.v)}'`);
  };

  const root = expr();
  if (pos < tokens.length) throw new CelError(`Syntax error: unexpected '${String(tokens[pos].v)}'`);
  return root;
}
