import peggy, { type Parser } from 'peggy';
import { RE2JS } from 're2js';

/** Why a filter does not parse (or uses a function wrongly); callers word it as the API does. */
export class FilterSyntaxError extends Error {}

export type FilterLiteral = string | number | boolean;
export type MatchFunction = 'starts_with' | 'ends_with' | 'has_substring' | 'one_of' | 'monitoring.regex.full_match';
export type FilterValue =
  { kind: 'literal'; value: FilterLiteral } | { kind: 'call'; fn: MatchFunction; args: FilterLiteral[] };
export type ComparisonOperator = '=' | '!=' | '<' | '>' | '<=' | '>=' | ':';

/** The parsed filter: a tree of AND/OR/NOT over comparisons `selector op value`. */
export type FilterNode =
  | { kind: 'and' | 'or'; terms: FilterNode[] }
  | { kind: 'not'; term: FilterNode }
  | { kind: 'compare'; selector: string; op: ComparisonOperator; value: FilterValue };

/**
 * The Monitoring filter language (https://cloud.google.com/monitoring/api/v3/filters, "Filter syntax", and
 * https://cloud.google.com/monitoring/api/v3/sorting-and-filtering for list calls), as a PEG:
 * comparisons `<selector> <op> <value>` with `=`, `!=`, `<`, `>`, `<=`, `>=` and `:` (has); values are
 * double-quoted strings with backslash escapes, numbers, `true`/`false`, or the matching functions
 * `starts_with`, `ends_with`, `has_substring`, `one_of` and `monitoring.regex.full_match`; comparisons combine
 * with upper-case `AND`, `OR`, `NOT` and parentheses. NOT binds tightest, then AND, then OR; gwctl's own filters
 * never mix AND and OR without parentheses, so they do not depend on that choice.
 */
const GRAMMAR = String.raw`
Filter = _ e:Or _ { return e; }

Or = head:And tail:(__ "OR" __ @And)* {
  return tail.length ? { kind: 'or', terms: [head, ...tail] } : head;
}
And = head:Unary tail:(__ "AND" __ @Unary)* {
  return tail.length ? { kind: 'and', terms: [head, ...tail] } : head;
}
Unary
  = "NOT" __ term:Unary { return { kind: 'not', term }; }
  / Primary
Primary
  = "(" _ e:Or _ ")" { return e; }
  / Comparison

Comparison = selector:Selector _ op:Operator _ value:Value { return { kind: 'compare', selector, op, value }; }

Selector = !Keyword head:Name tail:("." @Name)* { return [head, ...tail].join('.'); }
Name = $([A-Za-z_][A-Za-z0-9_-]*)
Keyword = ("AND" / "OR" / "NOT") ![A-Za-z0-9_]

Operator = "!=" / "<=" / ">=" / "=" / "<" / ">" / ":"

Value
  = fn:Function _ "(" _ args:ArgList? _ ")" { return { kind: 'call', fn, args: args ?? [] }; }
  / value:Literal { return { kind: 'literal', value }; }
Function = "monitoring.regex.full_match" / "starts_with" / "ends_with" / "has_substring" / "one_of"
ArgList = head:Literal tail:(_ "," _ @Literal)* { return [head, ...tail]; }

Literal = String / Number / Boolean
String = '"' chars:Char* '"' { return chars.join(''); }
Char
  = "\\" c:. { return c; }
  / [^"\\]
Number = n:$("-"? [0-9]+ ("." [0-9]+)? ([eE] [+-]? [0-9]+)?) ![A-Za-z_] { return Number(n); }
Boolean = "true" ![A-Za-z0-9_] { return true; } / "false" ![A-Za-z0-9_] { return false; }

_ "whitespace" = [ \t\r\n]*
__ "whitespace" = [ \t\r\n]+
`;

let parser: Parser | undefined;

/** Parses a filter into its tree; a syntax error becomes a FilterError naming the column. */
export function parseFilterText(text: string): FilterNode {
  if (text.trim() === '') throw new FilterSyntaxError('the filter is empty');
  parser ??= compile();
  try {
    return parser.parse(text) as FilterNode;
  } catch (err) {
    const e = err as Error & { location?: { start: { column: number } } };
    const at = e.location ? ` at column ${e.location.start.column}` : '';
    throw new FilterSyntaxError(`could not parse filter "${text}"${at}: ${e.message}`);
  }
}

/** The `peggy` parser generator builds the parser once, on first use (a few milliseconds). */
const compile = (): Parser => peggy.generate(GRAMMAR);

/** Every comparison in the tree, with whether it sits under a NOT or an OR (so it does not restrict alone). */
export function comparisons(
  node: FilterNode,
  context: { negated: boolean; alternative: boolean } = { negated: false, alternative: false },
): Array<Extract<FilterNode, { kind: 'compare' }> & { negated: boolean; alternative: boolean }> {
  switch (node.kind) {
    case 'compare':
      return [{ ...node, ...context }];
    case 'not':
      return comparisons(node.term, { ...context, negated: !context.negated });
    case 'and':
      return node.terms.flatMap((t) => comparisons(t, context));
    case 'or':
      return node.terms.flatMap((t) => comparisons(t, { ...context, alternative: true }));
  }
}

/** Whether `actual` (a label or field value; undefined when absent) satisfies one comparison. */
export function compare(
  actual: string | number | boolean | undefined,
  op: ComparisonOperator,
  value: FilterValue,
): boolean {
  if (actual === undefined) return op === '!=';
  const text = String(actual);
  if (value.kind === 'call') {
    const matched = matchFunction(text, value.fn, value.args);
    if (op === '=' || op === ':') return matched;
    if (op === '!=') return !matched;
    throw new FilterSyntaxError(`${value.fn}(…) can only be compared with = or !=`);
  }
  const expected = value.value;
  if (op === ':') return text.includes(String(expected));
  if (op === '=') return text === String(expected);
  if (op === '!=') return text !== String(expected);
  const [a, b] = typeof expected === 'number' ? [Number(text), expected] : [text, String(expected)];
  if (op === '<') return a < b;
  if (op === '>') return a > b;
  if (op === '<=') return a <= b;
  return a >= b;
}

function matchFunction(text: string, fn: MatchFunction, args: FilterLiteral[]): boolean {
  const strings = args.map(String);
  if (fn === 'one_of') {
    if (strings.length === 0) throw new FilterSyntaxError('one_of needs at least one value');
    return strings.includes(text);
  }
  if (strings.length !== 1) throw new FilterSyntaxError(`${fn} takes exactly one string`);
  const [arg] = strings as [string];
  if (fn === 'starts_with') return text.startsWith(arg);
  if (fn === 'ends_with') return text.endsWith(arg);
  if (fn === 'has_substring') return text.includes(arg);
  return fullMatch(arg).test(text);
}

const regexes = new Map<string, RE2JS>();
/** RE2 (the syntax the API documents for monitoring.regex.full_match), through re2js. */
function fullMatch(pattern: string): { test(text: string): boolean } {
  let re = regexes.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch {
      throw new FilterSyntaxError(`monitoring.regex.full_match: invalid regular expression "${pattern}"`);
    }
    regexes.set(pattern, re);
  }
  const compiled = re;
  return { test: (text) => compiled.matches(text) };
}
