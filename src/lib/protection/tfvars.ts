import { UsageError } from '../errors/gwctl-error.js';

/** The Terraform variable that makes the gateway's module refuse `terraform destroy`. */
export const PROTECTION_VARIABLE = 'prevent_destruction';

export type VarFileFormat = 'hcl' | 'json';

export const varFileFormat = (path: string): VarFileFormat => (/\.json$/i.test(path) ? 'json' : 'hcl');

export interface VarSetting {
  /** undefined when the file does not set the variable (the module's default applies). */
  value: boolean | undefined;
  /** 1-based line of the assignment in an HCL file. */
  line?: number;
}

/**
 * Reads `prevent_destruction` from a var file. Only top-level assignments count: a key of that
 * name inside an object, a heredoc or a comment is not the variable.
 */
export function readVarSetting(text: string, format: VarFileFormat, file = 'var file'): VarSetting {
  if (format === 'json') {
    const value = parseJsonVars(text, file)[PROTECTION_VARIABLE];
    return { value: value === undefined ? undefined : toBool(value, file) };
  }
  const found = findHclAssignments(text);
  if (found.length > 1)
    throw new UsageError(
      `${file}: ${PROTECTION_VARIABLE} is set ${found.length} times (lines ${found.map((f) => f.line).join(', ')}); Terraform rejects that, fix it by hand`,
    );
  if (found.length === 0) return { value: undefined };
  return { value: toBool(found[0]!.literal, file, found[0]!.line), line: found[0]!.line };
}

/**
 * Returns the file's text with `prevent_destruction` set to `value`. An HCL file keeps every other
 * byte: comments, alignment, quoting, line endings; a missing assignment is appended. A JSON file
 * keeps its key order and indentation.
 */
export function setVarSetting(text: string, format: VarFileFormat, value: boolean, file = 'var file'): string {
  if (format === 'json') return setJsonVar(text, value, file);
  const current = readVarSetting(text, 'hcl', file);
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  if (current.line === undefined) {
    const sep = text.length === 0 || text.endsWith('\n') ? '' : eol;
    const blank = text.trim().length > 0 ? eol : '';
    return `${text}${sep}${blank}# Refuse \`terraform destroy\` while true (gwctl env protect / unprotect).${eol}${PROTECTION_VARIABLE} = ${value}${eol}`;
  }
  const [assignment] = findHclAssignments(text);
  const a = assignment!;
  const quoted = a.literal.startsWith('"');
  const replacement = quoted ? `"${value}"` : String(value);
  return text.slice(0, a.valueStart) + replacement + text.slice(a.valueStart + a.literal.length);
}

function toBool(value: unknown, file: string, line?: number): boolean {
  // Terraform converts the strings "true"/"false" to a bool variable, so they count too.
  if (value === true || value === 'true' || value === '"true"') return true;
  if (value === false || value === 'false' || value === '"false"') return false;
  throw new UsageError(
    `${file}${line ? `:${line}` : ''}: ${PROTECTION_VARIABLE} must be true or false, got ${JSON.stringify(value)}`,
  );
}

interface HclAssignment {
  line: number;
  /** Offset of the value's first character in the text. */
  valueStart: number;
  /** The value as written: `true`, `"false"`, or whatever else is there (then rejected). */
  literal: string;
}

const ASSIGNMENT = new RegExp(`^[ \\t]*${PROTECTION_VARIABLE}[ \\t]*=[ \\t]*`);

/** Top-level `prevent_destruction = …` lines, found by scanning past strings, heredocs, comments and nesting. */
function findHclAssignments(text: string): HclAssignment[] {
  const out: HclAssignment[] = [];
  for (const start of topLevelLineStarts(text)) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end === -1 ? text.length : end).replace(/\r$/, '');
    const m = ASSIGNMENT.exec(line);
    if (!m) continue;
    const rest = line.slice(m[0].length);
    const literal = /^("[^"]*"|[^\s#/]+)/.exec(rest)?.[1] ?? rest.trim();
    out.push({ line: lineNumber(text, start), valueStart: start + m[0].length, literal });
  }
  return out;
}

const lineNumber = (text: string, offset: number) => text.slice(0, offset).split('\n').length;

/** Offsets of the lines that begin outside any string, heredoc, comment or bracket. */
function topLevelLineStarts(text: string): number[] {
  const starts: number[] = [];
  let depth = 0;
  let i = 0;
  let atLineStart = true;
  // A stack of contexts: `{` inside a template interpolation returns to the enclosing string.
  const templates: number[] = [];
  while (i < text.length) {
    if (atLineStart) {
      if (depth === 0 && templates.length === 0) starts.push(i);
      atLineStart = false;
    }
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '\n') {
      atLineStart = true;
      i++;
    } else if (c === '#' || (c === '/' && next === '/')) {
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end === -1 ? text.length : end + 2;
    } else if (c === '"') {
      i = skipString(text, i + 1);
    } else if (c === '<' && next === '<' && /^<<-?[A-Za-z_][\w-]*\r?\n/.test(text.slice(i, i + 80))) {
      const m = /^<<-?([A-Za-z_][\w-]*)\r?\n/.exec(text.slice(i))!;
      const marker = new RegExp(`\\n[ \\t]*${m[1]}[ \\t]*(\\r?\\n|$)`, 'g');
      marker.lastIndex = i + m[0].length - 1;
      const found = marker.exec(text);
      i = found ? found.index + found[0].length : text.length;
      if (found && found[0].endsWith('\n')) atLineStart = true;
    } else {
      if (c === '{' || c === '[' || c === '(') depth++;
      else if (c === '}' || c === ']' || c === ')') depth = Math.max(0, depth - 1);
      i++;
    }
  }
  return starts;
}

/** From just after an opening quote to just after the closing one, past escapes and `${…}` interpolations. */
function skipString(text: string, i: number): number {
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') i += 2;
    else if (c === '"') return i + 1;
    else if (c === '\n')
      return i; // unterminated: Terraform would reject it; do not swallow the file
    else if ((c === '$' || c === '%') && text[i + 1] === '{') {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === '"') i = skipString(text, i + 1);
        else {
          if (text[i] === '{') depth++;
          else if (text[i] === '}') depth--;
          i++;
        }
      }
    } else i++;
  }
  return i;
}

function parseJsonVars(text: string, file: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.trim() === '' ? '{}' : text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON (${(err as Error).message}); fix the file by hand`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UsageError(`${file}: a .tfvars.json file must hold one JSON object`);
  return parsed as Record<string, unknown>;
}

function setJsonVar(text: string, value: boolean, file: string): string {
  const vars = parseJsonVars(text, file);
  vars[PROTECTION_VARIABLE] = value;
  const indent = /\n([ \t]+)"/.exec(text)?.[1] ?? '  ';
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const body = JSON.stringify(vars, null, indent).replace(/\n/g, eol);
  return text.trim() === '' || text.endsWith('\n') ? `${body}${eol}` : body;
}
