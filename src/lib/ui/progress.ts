export interface Progress {
  /** Advance by `n` (default 1). */
  tick(n?: number): void;
  setTotal(total: number): void;
  stop(): void;
}

/**
 * A progress bar on stderr for long work; quiet under --json and when stderr is not a TTY
 * (a cron log gets no carriage-return noise).
 */
export async function startProgress(
  label: string,
  total: number,
  opts: { quiet: boolean; stream?: NodeJS.WriteStream },
): Promise<Progress> {
  const stream = opts.stream ?? process.stderr;
  if (opts.quiet || !stream.isTTY) return silentProgress;
  const { SingleBar, Presets } = await import('cli-progress');
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`,
      stream,
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: (n = 1) => bar.increment(n),
    setTotal: (t) => bar.setTotal(t),
    stop: () => bar.stop(),
  };
}

export const silentProgress: Progress = { tick() {}, setTotal() {}, stop() {} };
