export type ProbeName = 'http' | 'websocket' | 'cogrpc' | 'monitoring';

export const PROBE_NAMES: readonly ProbeName[] = ['http', 'websocket', 'cogrpc', 'monitoring'];

/** Each probe ends one of three ways; a failure is one line and never stops the other probes. */
export type ProbeOutcome<T> =
  | { status: 'ok'; result: T }
  | { status: 'failed'; error: string; partial?: unknown }
  | { status: 'skipped'; reason: string };

/** A probe that could not measure: `message` is the one line shown; `partial` what was measured before. */
export class ProbeFailure extends Error {
  constructor(
    message: string,
    readonly partial?: unknown,
  ) {
    super(message);
    this.name = 'ProbeFailure';
  }
}

/** Runs a probe and turns whatever it throws into its failed outcome. */
export async function runProbe<T>(probe: () => Promise<T>): Promise<ProbeOutcome<T>> {
  try {
    return { status: 'ok', result: await probe() };
  } catch (err) {
    const partial = err instanceof ProbeFailure ? err.partial : undefined;
    const message = (err as Error)?.message ?? String(err);
    return { status: 'failed', error: message.split('\n')[0]!, ...(partial === undefined ? {} : { partial }) };
  }
}
