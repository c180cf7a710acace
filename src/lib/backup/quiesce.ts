import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeAdmin, KubeItem } from '../cloud/kube-resources.js';
import { RuntimeError, UsageError } from '../errors/gwctl-error.js';
import {
  decideQuiesce,
  describeInterrupted,
  markAnnotations,
  QUIESCE_ANNOTATIONS,
  readMark,
  type QuiesceMark,
} from './quiesce-mark.js';

/** The Vault workload to stop during a backup, from `workloads.vault` (`statefulset/vault`). */
export interface WorkloadRef {
  kind: 'StatefulSet' | 'Deployment';
  name: string;
  namespace: string;
}

export function parseWorkload(spec: string, namespace: string): WorkloadRef {
  const m = spec.match(/^(statefulset|deployment)\/([a-z0-9.-]+)$/);
  if (!m) throw new UsageError(`workloads.vault: expected statefulset/<name> or deployment/<name>, got "${spec}"`);
  return { kind: m[1] === 'statefulset' ? 'StatefulSet' : 'Deployment', name: m[2]!, namespace };
}

export const workloadLabel = (w: WorkloadRef) => `${w.kind.toLowerCase()}/${w.namespace}/${w.name}`;

/** A workload as quiescing sees it. */
export interface WorkloadState {
  desired: number;
  ready: number;
  resourceVersion?: string;
  /** Left by a backup that scaled it to 0 and has not (yet) scaled it back. */
  mark?: QuiesceMark;
}

/** Reads and sets a workload's replicas; small, so tests and the kube API implement it alike. */
export interface WorkloadScaler {
  /** The workload, or undefined when it does not exist. */
  read(w: WorkloadRef): Promise<WorkloadState | undefined>;
  /**
   * Records `mark` and scales to 0 in one request, only if the workload is still at `resourceVersion`:
   * false when it has changed since it was read (read it again).
   */
  scaleDown(w: WorkloadRef, mark: QuiesceMark, resourceVersion?: string): Promise<boolean>;
  /** Sets `replicas` and removes the mark, in one request. */
  restore(w: WorkloadRef, replicas: number): Promise<void>;
}

/** The same scaler, saying after each scale that it landed (for the steps an audit outcome lists). */
export function reportingScaler(scaler: WorkloadScaler, scaled: (replicas: number) => void): WorkloadScaler {
  return {
    read: (w) => scaler.read(w),
    async scaleDown(w, mark, resourceVersion) {
      const done = await scaler.scaleDown(w, mark, resourceVersion);
      if (done) scaled(0);
      return done;
    },
    async restore(w, replicas) {
      await scaler.restore(w, replicas);
      scaled(replicas);
    },
  };
}

export function kubeScaler(admin: KubeAdmin): WorkloadScaler {
  const gone = (w: WorkloadRef, what: string) => new RuntimeError(`${workloadLabel(w)} disappeared while ${what}`);
  return {
    async read(w) {
      const item = await admin.get(w.kind, w.name, w.namespace);
      if (!item) return undefined;
      const mark = readMark(workloadLabel(w), item.annotations);
      return {
        desired: item.replicas ?? 1,
        ready: item.readyReplicas ?? 0,
        ...(item.resourceVersion ? { resourceVersion: item.resourceVersion } : {}),
        ...(mark ? { mark } : {}),
      };
    },
    async scaleDown(w, mark, resourceVersion) {
      const outcome = await admin.mergePatch(w.kind, w.name, w.namespace, {
        metadata: { annotations: markAnnotations(mark), ...(resourceVersion ? { resourceVersion } : {}) },
        spec: { replicas: 0 },
      });
      if (outcome === 'gone') throw gone(w, 'scaling it to 0');
      return outcome === 'patched';
    },
    async restore(w, replicas) {
      const outcome = await admin.mergePatch(w.kind, w.name, w.namespace, {
        metadata: { annotations: markAnnotations(null) },
        spec: { replicas },
      });
      if (outcome === 'gone') throw gone(w, `scaling it to ${replicas}`);
      if (outcome === 'conflict')
        throw new RuntimeError(`${workloadLabel(w)}: conflict while scaling it to ${replicas}`);
    },
  };
}

export interface QuiesceRecord {
  workload: string;
  /** Replicas it was left with: those it had, or those an interrupted backup recorded. */
  replicas: number;
  /** Found at 0, scaled down by an earlier backup that never scaled it back: that backup's record. */
  recovered?: QuiesceMark;
}

export interface QuiesceOptions {
  /** Who is quiescing (operator and backup id): recorded on the workload with the replica count. */
  by: string;
  now?: () => Date;
  /** How long to wait for the pods to stop being ready. */
  timeoutMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/**
 * Runs `fn` with the workload scaled to 0 — Vault does not promise that a live copy of its storage is
 * consistent — and puts the replica count back afterwards, whatever happened: failure, timeout,
 * SIGINT (the caller turns it into an abort). The count is written on the workload in the request
 * that scales it down, so a run killed outright is repaired by the next one, which finds the workload
 * at 0 with the record and puts the recorded count back. If putting it back fails, the error says so
 * first, with the command that fixes it.
 */
export async function withQuiesce<T>(
  scaler: WorkloadScaler,
  w: WorkloadRef,
  fn: () => Promise<T>,
  opts: QuiesceOptions,
): Promise<{ result: T; quiesce: QuiesceRecord }> {
  const label = workloadLabel(w);
  const wait = opts.sleep ?? sleep;
  const { restoreTo, recovered, mustRestore } = await scaleDown(scaler, w, opts);
  if (recovered) opts.log?.(`${label} is at 0, scaled down by a backup at ${recovered.at} that never scaled it back`);
  let failure: { err: unknown } | undefined;
  let result: T | undefined;
  try {
    const deadline = Date.now() + (opts.timeoutMs ?? 300_000);
    for (;;) {
      const now = await scaler.read(w);
      if (!now) throw new RuntimeError(`${label} disappeared while quiescing it`);
      if (now.ready === 0) break;
      if (opts.signal?.aborted) throw opts.signal.reason;
      if (Date.now() > deadline)
        throw new RuntimeError(
          `${label} still has ${now.ready} ready pod(s) after ${Math.round((opts.timeoutMs ?? 300_000) / 1000)}s; no backup was taken`,
        );
      await wait(opts.pollMs ?? 2_000);
    }
    result = await fn();
  } catch (err) {
    failure = { err };
  }
  if (mustRestore) {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await scaler.restore(w, restoreTo);
        lastError = undefined;
        opts.log?.(`scaled ${label} back to ${restoreTo} replica(s)`);
        break;
      } catch (err) {
        lastError = err;
        await wait(500 * 2 ** attempt);
      }
    }
    if (lastError) {
      const why = failure ? `; the backup had failed too: ${(failure.err as Error)?.message}` : '';
      throw new RuntimeError(
        `${label} is still scaled to 0: putting back ${restoreTo} replica(s) failed (${(lastError as Error)?.message}). Run now: ${manualRestore(w, restoreTo)} (or re-run gwctl backup create --quiesce, which puts back the count recorded on it)${why}`,
        { cause: lastError },
      );
    }
  }
  if (failure) throw failure.err;
  return {
    result: result as T,
    quiesce: { workload: label, replicas: restoreTo, ...(recovered ? { recovered } : {}) },
  };
}

/** The kubectl commands that do what a failed scale-back could not. */
export function manualRestore(w: WorkloadRef, replicas: number): string {
  const ref = `${w.kind.toLowerCase()}/${w.name} -n ${w.namespace}`;
  const drop = Object.values(QUIESCE_ANNOTATIONS).map((a) => `${a}-`);
  return `kubectl scale ${ref} --replicas=${replicas} && kubectl annotate ${ref} ${drop.join(' ')}`;
}

/**
 * Reads the workload and, if it has replicas, records them and scales it to 0 in one request. Says
 * what to put back at the end, and whether anything must be (nothing was scaled down, by this run or
 * an earlier one, when the workload was at 0 already with no record).
 */
async function scaleDown(
  scaler: WorkloadScaler,
  w: WorkloadRef,
  opts: QuiesceOptions,
): Promise<{ restoreTo: number; recovered?: QuiesceMark; mustRestore: boolean }> {
  const label = workloadLabel(w);
  for (let attempt = 0; ; attempt++) {
    const state = await scaler.read(w);
    if (!state)
      throw new UsageError(
        `--quiesce: ${label} not found; set workloads.vault in gwctl.yaml (statefulset/<name> or deployment/<name>) or drop --quiesce`,
      );
    const { from, restoreTo, recovered } = decideQuiesce(state);
    // Our own scale-down, retried after its answer was lost, reads back as a record of this very run.
    if (recovered?.by === opts.by) return { restoreTo, mustRestore: true };
    if (from === 0) return { restoreTo, ...(recovered ? { recovered } : {}), mustRestore: recovered !== undefined };
    opts.log?.(`scaling ${label} from ${from} to 0 replicas (the count is recorded on it in the same request)`);
    const mark = { replicas: from, at: (opts.now ?? (() => new Date()))().toISOString(), by: opts.by };
    let done: boolean;
    try {
      done = await scaler.scaleDown(w, mark, state.resourceVersion);
    } catch (err) {
      // It may have landed before the failure: put the count back rather than leave that to the next run.
      await scaler.restore(w, from).catch(() => undefined);
      throw err;
    }
    // Refused when someone changed it since it was read: read it again.
    if (done) return { restoreTo, mustRestore: true };
    if (attempt >= 4)
      throw new RuntimeError(`${label} kept changing while gwctl tried to scale it to 0; no backup was taken`);
  }
}

/** The Vault workload as `env status` reports it: its replicas and any record left by an interrupted backup. */
export interface VaultQuiesceStatus {
  workload: string;
  replicas: number;
  /** Set when it is at 0 replicas with a record: a quiesced backup scaled it down and never back. */
  interruptedBackup?: QuiesceMark;
  /** What to tell the operator, when anything. */
  warning?: string;
}

/** From workloads already listed (no call of its own); undefined when the Vault workload is not there. */
export function vaultQuiesceStatus(
  spec: string,
  namespace: string,
  workloads: Record<'StatefulSet' | 'Deployment', KubeItem[]>,
  envName: string,
): VaultQuiesceStatus | undefined {
  let w: WorkloadRef;
  try {
    w = parseWorkload(spec, namespace);
  } catch {
    return undefined; // a bad workloads.vault is reported by the commands that use it
  }
  const item = workloads[w.kind].find((i) => i.name === w.name);
  if (!item) return undefined;
  const label = workloadLabel(w);
  const replicas = item.replicas ?? 1;
  let mark: QuiesceMark | undefined;
  try {
    mark = readMark(label, item.annotations);
  } catch (err) {
    return { workload: label, replicas, warning: (err as Error).message };
  }
  if (!mark || replicas > 0) return { workload: label, replicas };
  return {
    workload: label,
    replicas,
    interruptedBackup: mark,
    warning: `${describeInterrupted(label, mark)}; it has 0 replicas now. Bring it back with \`gwctl backup create --env ${envName} --quiesce\` (it takes the backup and puts the ${mark.replicas} replica(s) back), or: ${manualRestore(w, mark.replicas)}`,
  };
}
