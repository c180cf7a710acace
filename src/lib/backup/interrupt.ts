/**
 * Turns SIGINT/SIGTERM into an abort for the duration of `fn`, so the work stops cleanly and its
 * `finally` steps (scaling Vault back up, removing the backup's intent) still run. A second signal
 * is ignored with a note: cutting the clean-up short is how Vault would stay at 0 replicas.
 */
export async function interruptible<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  note: (message: string) => void = () => {},
): Promise<T> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      note(`${signal} again: still cleaning up, please wait`);
      return;
    }
    note(`${signal}: stopping; cleaning up first`);
    controller.abort(new Error(`interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await fn(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
