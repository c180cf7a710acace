import { Chalk, type ChalkInstance } from 'chalk';

/** Colours only for a human at a terminal: off with NO_COLOR, off when stderr is not a TTY. */
export function makeChalk(stream: NodeJS.WriteStream = process.stderr, env = process.env): ChalkInstance {
  const enabled = !('NO_COLOR' in env) && Boolean(stream.isTTY) && env.TERM !== 'dumb';
  return new Chalk({ level: enabled ? (env.FORCE_COLOR === '0' ? 0 : 1) : 0 });
}
