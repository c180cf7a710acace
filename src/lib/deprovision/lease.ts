import { hostname, userInfo } from 'node:os';
import { liveness, thisProcess } from '../audit/process-liveness.js';
import type { RunProcess } from '../audit/record.js';
import type { LeaseAdmin, LeaseRecord, LeaseSpec } from '../cloud/kube-lease.js';
import { RuntimeError } from '../errors/gwctl-error.js';

/** One deprovision of an environment at a time, whatever machine runs it: a Lease in the environment's namespace. */
export const leaseName = (env: string) => `gwctl-deprovision-${env}`;

/** How long a lease outlives its last renewal; renewed every third of that. */
export const LEASE_SECONDS = 60;

/** The holding process, so a run on the same host can tell a holder that died (kill -9) at once. */
const PROCESS_ANNOTATION = 'gwctl/process';
const OPERATOR_ANNOTATION = 'gwctl/operator';

export interface LeaseOptions {
  env: string;
  namespace: string;
  /** The write-ahead run id: makes the holder identity unique to this run. */
  run: string;
  /** Who acts, as the audit log names them. */
  operator: string;
  durationSeconds?: number;
  warn?: (message: string) => void;
  now?: () => number;
}

/** A lease someone else holds and is still renewing (or whose holder may still be alive). */
export interface LeaseHolder {
  holder: string;
  since?: string;
  renewed?: string;
  expires?: string;
  operator?: string;
}

/** Refused: another run holds the lease. Exit 1, like any refusal by the environment's state. */
export class DeprovisionLeaseHeldError extends RuntimeError {
  constructor(message: string) {
    super(message);
    this.name = 'DeprovisionLeaseHeldError';
  }
}

/** A lease this run holds: `lost` aborts if someone takes it over; `release` gives it back (deletes it). */
export interface HeldLease {
  readonly lost: AbortSignal;
  release(): Promise<void>;
}

const STALE = 'stale';
type Verdict = { state: 'free' } | { state: typeof STALE; why: string } | { state: 'held'; by: LeaseHolder };

/** Whether a lease is free, stale (holder gone past its duration, or dead on this host), or held by a live run. */
export function judgeLease(l: LeaseRecord | undefined, now = Date.now(), host = hostname()): Verdict {
  if (!l?.holder) return { state: 'free' };
  const renewedMs = Date.parse(l.renewTime ?? l.acquireTime ?? '');
  const expiresMs = renewedMs + (l.durationSeconds ?? LEASE_SECONDS) * 1000;
  const process = parseProcess(l.annotations[PROCESS_ANNOTATION]);
  if (Number.isNaN(renewedMs)) return { state: STALE, why: 'it was never renewed' };
  if (now > expiresMs)
    return { state: STALE, why: `its holder stopped renewing it ${Math.round((now - renewedMs) / 1000)}s ago` };
  if (process && liveness(process, host) === 'gone')
    return { state: STALE, why: `its holder, pid ${process.pid} on ${process.host}, is no longer running` };
  return {
    state: 'held',
    by: {
      holder: l.holder,
      ...(l.acquireTime ? { since: l.acquireTime } : {}),
      ...(l.renewTime ? { renewed: l.renewTime } : {}),
      expires: new Date(expiresMs).toISOString(),
      ...(l.annotations[OPERATOR_ANNOTATION] ? { operator: l.annotations[OPERATOR_ANNOTATION] } : {}),
    },
  };
}

/** "deprovisioning staging is already running: …": who holds it, since when, and what to do. */
export function heldMessage(env: string, namespace: string, by: LeaseHolder): string {
  const who = `${by.holder}${by.operator ? ` [${by.operator}]` : ''}`;
  return `deprovisioning ${env} is already running: Lease ${namespace}/${leaseName(env)} is held by ${who} since ${by.since ?? 'an unknown time'} (renewed ${by.renewed ?? 'never'}); nothing was changed. Wait for it to finish (gwctl env status ${env}); if that run is dead, its lease expires at ${by.expires} and the next run takes it over`;
}

/** Who holds the environment's lease now, if a live run does: the early check, before planning. */
export async function currentHolder(
  admin: LeaseAdmin,
  env: string,
  namespace: string,
): Promise<LeaseHolder | undefined> {
  const verdict = judgeLease(await admin.read(namespace, leaseName(env)));
  return verdict.state === 'held' ? verdict.by : undefined;
}

/**
 * Takes the environment's lease before the first step, or refuses naming its holder. A free lease is created (or
 * re-taken); a stale one is taken over with a warning. Every write is a compare-and-swap on the resourceVersion
 * read, so of two runs racing only one wins. The lease is renewed every third of its duration while held.
 */
export async function acquireLease(admin: LeaseAdmin, o: LeaseOptions): Promise<HeldLease> {
  const now = o.now ?? Date.now;
  const name = leaseName(o.env);
  const duration = o.durationSeconds ?? LEASE_SECONDS;
  const me = holderIdentity(o.run);
  const spec = (transitions: number, acquired: Date): LeaseSpec => ({
    holder: me,
    acquireTime: acquired,
    renewTime: new Date(now()),
    durationSeconds: duration,
    transitions,
    annotations: { [PROCESS_ANNOTATION]: JSON.stringify(thisProcess()), [OPERATOR_ANNOTATION]: o.operator },
  });

  let held: LeaseRecord | undefined;
  for (let attempt = 0; !held && attempt < 5; attempt++) {
    const current = await admin.read(o.namespace, name);
    if (!current) {
      const created = await admin.create(o.namespace, name, spec(0, new Date(now())));
      if (created !== 'exists') held = created;
      continue;
    }
    if (current.holder === me) {
      held = current;
      continue;
    }
    const verdict = judgeLease(current, now());
    if (verdict.state === 'held') throw new DeprovisionLeaseHeldError(heldMessage(o.env, o.namespace, verdict.by));
    if (verdict.state === STALE)
      o.warn?.(
        `taking over Lease ${o.namespace}/${name} from ${current.holder} (acquired ${current.acquireTime ?? '?'}): ${verdict.why}`,
      );
    const taken = await admin.replace(current, spec(current.transitions + 1, new Date(now())));
    if (typeof taken !== 'string') held = taken;
  }
  if (!held)
    throw new RuntimeError(
      `could not take Lease ${o.namespace}/${name}: it kept changing under this run; nothing was changed, re-run`,
    );

  const lost = new AbortController();
  let record = held;
  const acquired = new Date(record.acquireTime ?? now());
  const renew = async () => {
    try {
      const next = await admin.replace(record, { ...spec(record.transitions, acquired) });
      if (typeof next !== 'string') return void (record = next);
      const current = await admin.read(o.namespace, name);
      if (current?.holder === me) return void (record = current);
      lost.abort(
        new RuntimeError(
          `lost Lease ${o.namespace}/${name} to ${current?.holder ?? 'nobody (it was deleted)'}: another run may be deprovisioning ${o.env}; stopped before the next step`,
        ),
      );
    } catch (err) {
      // A renewal that failed (network) is tried again at the next tick; past the duration the lease is lost.
      if (now() > Date.parse(record.renewTime ?? '') + duration * 1000)
        lost.abort(new RuntimeError(`could not renew Lease ${o.namespace}/${name}: ${(err as Error).message}`));
    }
  };
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => (renewing = renewing.then(renew)), (duration * 1000) / 3);
  timer.unref();

  return {
    lost: lost.signal,
    async release() {
      clearInterval(timer);
      await renewing;
      if (lost.signal.aborted) return;
      for (let attempt = 0; attempt < 3; attempt++) {
        const outcome = await admin.remove(record);
        if (outcome !== 'conflict') return;
        const current = await admin.read(o.namespace, name);
        if (current?.holder !== me) {
          o.warn?.(`Lease ${o.namespace}/${name} is now held by ${current?.holder ?? 'nobody'}: left as it is`);
          return;
        }
        record = current;
      }
    },
  };
}

/** `alice@laptop pid 4121 (gwctl run 9c1e…)`: who, where, and which run, so two runs never share an identity. */
function holderIdentity(run: string): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the host and pid still say where.
  }
  return `${user}@${hostname()} pid ${process.pid} (gwctl run ${run})`;
}

function parseProcess(text: string | undefined): RunProcess | undefined {
  if (!text) return undefined;
  try {
    const p = JSON.parse(text) as RunProcess;
    return typeof p.pid === 'number' && typeof p.host === 'string' && typeof p.started === 'string' ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `body` holding the environment's lease: taken before, released after however `body` ends (an error, or
 * SIGINT/SIGTERM, which the write-ahead run turns into an aborted signal and so an error here). `body` gets the signal
 * that aborts if the lease is lost. A process killed outright leaves the lease to go stale, and be taken over.
 */
export async function withLease<T>(
  admin: LeaseAdmin,
  o: LeaseOptions,
  body: (lost: AbortSignal) => Promise<T>,
): Promise<T> {
  const lease = await acquireLease(admin, o);
  try {
    return await body(lease.lost);
  } finally {
    await lease
      .release()
      .catch((err: unknown) =>
        o.warn?.(
          `could not release Lease ${o.namespace}/${leaseName(o.env)}: ${(err as Error).message}; it expires on its own`,
        ),
      );
  }
}
