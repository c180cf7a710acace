import { createRequire } from 'node:module';
import type { ChalkInstance } from 'chalk';

/**
 * Colours only for a human at a terminal: off with NO_COLOR or `--no-color`, off when the stream is not a TTY;
 * `--color` (`forced` true) colours pipes too.
 */
export function makeChalk(stream: NodeJS.WriteStream, env = process.env, forced?: boolean): ChalkInstance {
  const enabled = forced ?? (!('NO_COLOR' in env) && Boolean(stream.isTTY) && env.TERM !== 'dumb');
  const level = enabled ? (env.FORCE_COLOR === '0' && forced === undefined ? 0 : 1) : 0;
  // Startup time: chalk is loaded only when it will colour something. Scripts, cron and pipes (no TTY)
  // get the plain stand-in, which returns what chalk returns at level 0.
  if (level === 0) return plainChalk;
  const { Chalk } = createRequire(import.meta.url)('chalk') as typeof import('chalk');
  return new Chalk({ level });
}

/** Chalk's builders that take arguments before the text (`hex('#fff')('text')`). */
const BUILDERS = new Set(['rgb', 'hex', 'ansi256', 'bgRgb', 'bgHex', 'bgAnsi256']);

/**
 * What a level-0 chalk does, without loading chalk: every style, however chained, returns its text
 * unchanged (several arguments joined by spaces); `visible` returns ''.
 */
function plain(empty: boolean): ChalkInstance {
  const style = (...args: unknown[]) => (empty ? '' : args.length === 1 ? '' + (args[0] as string) : args.join(' '));
  return new Proxy(style, {
    get(target, prop) {
      if (prop === 'level') return 0;
      if (typeof prop !== 'string' || prop in Function.prototype) return Reflect.get(target, prop);
      if (BUILDERS.has(prop)) return () => plain(empty);
      return plain(empty || prop === 'visible');
    },
    set: () => true,
  }) as unknown as ChalkInstance;
}

const plainChalk = plain(false);
