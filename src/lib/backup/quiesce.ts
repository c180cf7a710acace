import type { KubeAdmin } from '../cloud/kube-resources.js';
import { RuntimeError, UsageError } from '../errors/gwctl-error.js';

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

/** Reads and sets a workload's replicas; small, so tests and the kube API implement it alike. */
export interface WorkloadScaler {
  /** Desired and ready replicas, or undefined when the workload does not exist. */
  read(w: WorkloadRef): Promise<{ desired: number; ready: number } | undefined>;
  scale(w: WorkloadRef, replicas: number): Promise<void>;
}

/** The same scaler, saying after each scale that it landed (for the steps an audit outcome lists). */
export function reportingScaler(scaler: WorkloadScaler, scaled: (replicas: number) => void): WorkloadScaler {
  return {
    read: (w) => scaler.read(w),
    async scale(w, replicas) {
      await scaler.scale(w, replicas);
      scaled(replicas);
    },
  };
}

export function kubeScaler(admin: KubeAdmin): WorkloadScaler {
  return {
    async read(w) {
      const item = await admin.get(w.kind, w.name, w.namespace);
      return item ? { desired: item.replicas ?? 1, ready: item.readyReplicas ?? 0 } : undefined;
    },
    async scale(w, replicas) {
      if ((await admin.scale(w.kind, w.name, w.namespace, replicas)) === 'gone')
        throw new RuntimeError(`${workloadLabel(w)} disappeared while scaling it to ${replicas}`);
    },
  };
}

export interface QuiesceRecord {
  workload: string;
  /** Replicas before, and after: the backup never leaves Vault with fewer. */
  replicas: number;
}

export interface QuiesceOptions {
  /** How long to wait for the pods to stop being ready. */
  timeoutMs?: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/**
 * Runs `fn` with the workload scaled to 0 — Vault does not promise that a live copy of its storage is
 * consistent — and puts the old replica count back afterwards, whatever happened: failure, timeout,
 * SIGINT (the caller turns it into an abort). If putting it back fails, the error says so first,
 * with the command that fixes it.
 */
export async function withQuiesce<T>(
  scaler: WorkloadScaler,
  w: WorkloadRef,
  fn: () => Promise<T>,
  opts: QuiesceOptions = {},
): Promise<{ result: T; quiesce: QuiesceRecord }> {
  const label = workloadLabel(w);
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const before = await scaler.read(w);
  if (!before)
    throw new UsageError(
      `--quiesce: ${label} not found; set workloads.vault in gwctl.yaml (statefulset/<name> or deployment/<name>) or drop --quiesce`,
    );
  const replicas = before.desired;
  let failure: { err: unknown } | undefined;
  let result: T | undefined;
  try {
    if (replicas > 0) {
      opts.log?.(`scaling ${label} from ${replicas} to 0 replicas`);
      await scaler.scale(w, 0);
    }
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
      await sleep(opts.pollMs ?? 2_000);
    }
    result = await fn();
  } catch (err) {
    failure = { err };
  }
  if (replicas > 0) {
    let lastError: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await scaler.scale(w, replicas);
        lastError = undefined;
        opts.log?.(`scaled ${label} back to ${replicas} replica(s)`);
        break;
      } catch (err) {
        lastError = err;
        await sleep(500 * 2 ** attempt);
      }
    }
    if (lastError) {
      const why = failure ? `; the backup had failed too: ${(failure.err as Error)?.message}` : '';
      throw new RuntimeError(
        `${label} is still scaled to 0: putting back ${replicas} replica(s) failed (${(lastError as Error)?.message}). Run now: kubectl scale ${w.kind.toLowerCase()}/${w.name} -n ${w.namespace} --replicas=${replicas}${why}`,
        { cause: lastError },
      );
    }
  }
  if (failure) throw failure.err;
  return { result: result as T, quiesce: { workload: label, replicas } };
}
