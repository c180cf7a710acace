import { UsageError } from '../errors/gwctl-error.js';

/**
 * What a quiesced backup writes on the Vault workload in the same request that scales it to 0, and
 * removes in the one that scales it back: if the process dies in between (kill -9, an evicted pod),
 * the replica count to put back is kept in the cluster, not in a process that no longer exists.
 */
export const QUIESCE_ANNOTATIONS = {
  replicas: 'gwctl.relaycorp.tech/quiesced-replicas',
  at: 'gwctl.relaycorp.tech/quiesced-at',
  by: 'gwctl.relaycorp.tech/quiesced-by',
} as const;

export interface QuiesceMark {
  /** Replicas before the backup scaled the workload to 0. */
  replicas: number;
  /** When it did (ISO 8601). */
  at: string;
  /** Who: the operator's identity and the backup's id. */
  by: string;
}

/** The annotations that record `mark`, or (`null`) that remove it, as a merge patch's `metadata.annotations`. */
export function markAnnotations(mark: QuiesceMark | null): Record<string, string | null> {
  return {
    [QUIESCE_ANNOTATIONS.replicas]: mark ? String(mark.replicas) : null,
    [QUIESCE_ANNOTATIONS.at]: mark ? mark.at : null,
    [QUIESCE_ANNOTATIONS.by]: mark ? mark.by : null,
  };
}

/** The mark on a workload, if any; a replica count that is not one is refused rather than guessed at. */
export function readMark(label: string, annotations: Record<string, string> = {}): QuiesceMark | undefined {
  const raw = annotations[QUIESCE_ANNOTATIONS.replicas];
  if (raw === undefined) return undefined;
  if (!/^\d{1,6}$/.test(raw.trim()))
    throw new UsageError(
      `${label} carries ${QUIESCE_ANNOTATIONS.replicas}="${raw}", which is not a replica count; set it to the replicas Vault should have, or remove it (kubectl annotate … ${QUIESCE_ANNOTATIONS.replicas}-)`,
    );
  return {
    replicas: Number(raw),
    at: annotations[QUIESCE_ANNOTATIONS.at] ?? 'an unknown time',
    by: annotations[QUIESCE_ANNOTATIONS.by] ?? 'an unknown run',
  };
}

/** How a quiesced backup treats the workload as it finds it. */
export interface QuiesceDecision {
  /** Replicas now. */
  from: number;
  /** Replicas to leave it with afterwards. */
  restoreTo: number;
  /** Found at 0 with a mark: an earlier backup was interrupted, and its recorded count is put back. */
  recovered?: QuiesceMark;
  /** A mark on a workload that has replicas again (someone scaled it back by hand): replaced. */
  stale?: QuiesceMark;
}

export function decideQuiesce(state: { desired: number; mark?: QuiesceMark }): QuiesceDecision {
  const { desired, mark } = state;
  if (mark && desired === 0) return { from: 0, restoreTo: mark.replicas, recovered: mark };
  return { from: desired, restoreTo: desired, ...(mark ? { stale: mark } : {}) };
}

/** "Vault scaled down by an interrupted backup at … (was 3 replicas)": what `env status` and the plan say. */
export function describeInterrupted(label: string, mark: QuiesceMark): string {
  return `Vault (${label}) scaled down by an interrupted backup at ${mark.at} (was ${mark.replicas} replica${mark.replicas === 1 ? '' : 's'}; by ${mark.by})`;
}
