import { hostname, userInfo } from 'node:os';
import { setTimeout as realSleep } from 'node:timers/promises';
import { liveness, thisProcess } from '../audit/process-liveness.js';
import type { RunProcess } from '../audit/record.js';
import type { LeaseAdmin, LeaseRecord, LeaseSpec } from '../cloud/kube-lease.js';
import { RuntimeError } from '../errors/gwctl-error.js';
import { sameMachine, thisMachine, type MachineMarks } from './same-machine.js';

/** One deprovision of an environment at a time, whatever machine runs it: a Lease in the environment's namespace. */
export const leaseName = (env: string) => `gwctl-deprovision-${env}`;

/** How long a lease outlives its last renewal; renewed every third of that. */
export const LEASE_SECONDS = 60;

/**
 * The holder stops (before its next step) once it has gone this long without a successful renewal, counted from when
 * it sent the last one that succeeded: before anyone else may take the lease over, as client-go's leader election
 * requires RenewDeadline < LeaseDuration. Two thirds of the duration leaves a third as margin.
 */
export const renewDeadlineMs = (durationSeconds: number) => (durationSeconds * 1000 * 2) / 3;

/** The holding process (and its boot id and pid namespace), so a run on the same machine can tell a holder that died (kill -9) at once. */
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
  /** Progress: watching a lease that looks stale before taking it over. */
  note?: (message: string) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
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

/**
 * A lease this run holds: `lost` aborts if someone takes it over or the renew deadline passes; `checkHeld` checks that
 * deadline now (before each step: timers fire late in a process that was frozen); `release` gives it back (deletes it).
 */
export interface HeldLease {
  readonly lost: AbortSignal;
  checkHeld(): void;
  release(): Promise<void>;
}

/**
 * `dead`: its holder ran on this machine (same host, boot id and pid namespace) and is gone: taken over at once.
 * `expired`: not renewed within its duration by the clocks (the holder's renewTime against this one's): taken over
 * only after watching it stay unchanged that long here, since a clock running fast must not take over a live lease.
 */
type Verdict =
  | { state: 'free' }
  | { state: 'dead'; why: string }
  | { state: 'expired'; why: string }
  | { state: 'held'; by: LeaseHolder };

/** Whether a lease is free, its holder dead on this machine, expired by the clocks, or held by a live run. */
export function judgeLease(
  l: LeaseRecord | undefined,
  now = Date.now(),
  host = hostname(),
  here: MachineMarks = thisMachine(),
): Verdict {
  if (!l?.holder) return { state: 'free' };
  const renewedMs = Date.parse(l.renewTime ?? l.acquireTime ?? '');
  const expiresMs = renewedMs + (l.durationSeconds ?? LEASE_SECONDS) * 1000;
  const process = parseProcess(l.annotations[PROCESS_ANNOTATION]);
  // Host name and pid alone are shared by containers: only the same boot and pid namespace make the pid comparable.
  if (process && sameMachine(process, here) && liveness(process, host) === 'gone')
    return { state: 'dead', why: `its holder, pid ${process.pid} on ${process.host}, is no longer running` };
  if (Number.isNaN(renewedMs)) return { state: 'expired', why: 'it was never renewed' };
  if (now > expiresMs)
    return {
      state: 'expired',
      why: `its holder stopped renewing it ${Math.round((now - renewedMs) / 1000)}s ago by the clocks`,
    };
  return { state: 'held', by: holderOf(l, expiresMs) };
}

function holderOf(l: LeaseRecord, expiresMs: number): LeaseHolder {
  return {
    holder: l.holder ?? 'nobody',
    ...(l.acquireTime ? { since: l.acquireTime } : {}),
    ...(l.renewTime ? { renewed: l.renewTime } : {}),
    expires: new Date(expiresMs).toISOString(),
    ...(l.annotations[OPERATOR_ANNOTATION] ? { operator: l.annotations[OPERATOR_ANNOTATION] } : {}),
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
 * For `env protect`: what to warn of when a deprovision may be running now, since protecting enables the deployment
 * trigger again and CI could redeploy what that run is tearing down. A lease expired by the clocks counts: they may lie.
 */
export async function runningDeprovisionWarning(
  admin: LeaseAdmin,
  env: string,
  namespace: string,
): Promise<string | undefined> {
  const lease = `Lease ${namespace}/${leaseName(env)}`;
  const then =
    'protecting now re-enables its deployment trigger mid-deprovision: stop that run first, or let it finish';
  try {
    const l = await admin.read(namespace, leaseName(env));
    const verdict = judgeLease(l);
    if (verdict.state === 'held')
      return `a deprovision of ${env} is running: ${lease} is held by ${verdict.by.holder} since ${verdict.by.since ?? 'an unknown time'}; ${then}`;
    if (verdict.state === 'expired')
      return `a deprovision of ${env} may still be running: ${lease} is held by ${l?.holder} (${verdict.why}); ${then}`;
    return undefined;
  } catch (err) {
    return `could not check whether a deprovision of ${env} is running (${lease}: ${(err as Error).message})`;
  }
}

/**
 * Takes the environment's lease before the first step, or refuses naming its holder. A free lease is created (or
 * re-taken); one whose holder died on this machine is taken over at once, one expired by the clocks after watching it
 * stay unchanged for its duration; both with a warning. Every write is a compare-and-swap on the resourceVersion
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
    annotations: {
      [PROCESS_ANNOTATION]: JSON.stringify({ ...thisProcess(), ...thisMachine() }),
      [OPERATOR_ANNOTATION]: o.operator,
    },
  });

  let held: LeaseRecord | undefined;
  // When the write that took the lease was sent (this machine's monotonic clock): the renew deadline counts from it.
  let sentAt = performance.now();
  for (let attempt = 0; !held && attempt < 5; attempt++) {
    let current = await admin.read(o.namespace, name);
    if (!current) {
      sentAt = performance.now();
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
    let why = verdict.state === 'free' ? undefined : verdict.why;
    if (verdict.state === 'expired') {
      const watched = await watchUnchanged(admin, current, o);
      if (!watched) continue;
      if (watched.resourceVersion !== current.resourceVersion) {
        if (!watched.holder) continue;
        // Renewed (or taken) while watched: alive, whatever its renewTime says against this machine's clock.
        const expires = Date.now() + (watched.durationSeconds ?? LEASE_SECONDS) * 1000;
        throw new DeprovisionLeaseHeldError(heldMessage(o.env, o.namespace, holderOf(watched, expires)));
      }
      current = watched;
      why = `${why}, and it stayed unchanged for ${current.durationSeconds ?? LEASE_SECONDS}s as seen here`;
    }
    if (why)
      o.warn?.(
        `taking over Lease ${o.namespace}/${name} from ${current.holder} (acquired ${current.acquireTime ?? '?'}): ${why}`,
      );
    sentAt = performance.now();
    const taken = await admin.replace(current, spec(current.transitions + 1, new Date(now())));
    if (typeof taken !== 'string') held = taken;
  }
  if (!held)
    throw new RuntimeError(
      `could not take Lease ${o.namespace}/${name}: it kept changing under this run; nothing was changed, re-run`,
    );
  return keepRenewing(admin, o, held, { me, duration, renewedAt: sentAt, spec });
}

/**
 * Re-reads a lease that looks expired until it has stayed unchanged (same resourceVersion) for its duration by this
 * machine's monotonic clock, or changed. Its holder, if alive, renews within that time; if it has not, it stopped
 * itself at its renew deadline already. Returns the record read last (undefined: deleted meanwhile).
 */
async function watchUnchanged(admin: LeaseAdmin, l: LeaseRecord, o: LeaseOptions): Promise<LeaseRecord | undefined> {
  const sleep = o.sleep ?? realSleep;
  const durationMs = (l.durationSeconds ?? LEASE_SECONDS) * 1000;
  const since = performance.now();
  o.note?.(
    `Lease ${l.namespace}/${l.name} held by ${l.holder} looks expired by the clocks; watching it for ${durationMs / 1000}s before taking it over, in case this machine's clock runs ahead`,
  );
  for (;;) {
    await sleep(Math.max(0, Math.min(since + durationMs - performance.now(), durationMs / 6)));
    const readAt = performance.now();
    const next = await admin.read(l.namespace, l.name);
    if (next?.resourceVersion !== l.resourceVersion || readAt >= since + durationMs) return next;
  }
}

/** Renews the lease every third of its duration; aborts `lost` when taken over or past the renew deadline. */
function keepRenewing(
  admin: LeaseAdmin,
  o: LeaseOptions,
  held: LeaseRecord,
  k: { me: string; duration: number; renewedAt: number; spec: (transitions: number, acquired: Date) => LeaseSpec },
): HeldLease {
  const name = leaseName(o.env);
  const deadlineMs = renewDeadlineMs(k.duration);
  const lost = new AbortController();
  let record = held;
  let renewedAt = k.renewedAt;
  let lastError: string | undefined;
  const acquired = new Date(record.acquireTime ?? Date.now());

  const checkHeld = () => {
    const since = performance.now() - renewedAt;
    if (lost.signal.aborted || since <= deadlineMs) return;
    lost.abort(
      new RuntimeError(
        `could not renew Lease ${o.namespace}/${name} for ${Math.round(since / 1000)}s${lastError ? ` (${lastError})` : ''}: stopped before the next step, as another run may take it over after ${k.duration}s`,
      ),
    );
  };
  let deadline: NodeJS.Timeout | undefined;
  const armDeadline = () => {
    clearTimeout(deadline);
    deadline = setTimeout(checkHeld, renewedAt + deadlineMs - performance.now() + 1);
    deadline.unref();
  };
  armDeadline();

  const renew = async () => {
    if (lost.signal.aborted) return;
    const sent = performance.now();
    try {
      const next = await admin.replace(record, k.spec(record.transitions, acquired));
      if (typeof next !== 'string') record = next;
      else {
        const current = await admin.read(o.namespace, name);
        // Ours still: our own write, retried after its answer was lost.
        if (current?.holder !== k.me)
          return lost.abort(
            new RuntimeError(
              `lost Lease ${o.namespace}/${name} to ${current?.holder ?? 'nobody (it was deleted)'}: another run may be deprovisioning ${o.env}; stopped before the next step`,
            ),
          );
        record = current;
      }
      renewedAt = sent;
      lastError = undefined;
      armDeadline();
    } catch (err) {
      // Tried again at the next tick; the deadline timer (and checkHeld) stop the run if none succeeds in time.
      lastError = (err as Error).message;
      checkHeld();
    }
  };
  let renewing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => (renewing = renewing.then(renew)), (k.duration * 1000) / 3);
  timer.unref();

  return {
    lost: lost.signal,
    checkHeld,
    async release() {
      clearInterval(timer);
      clearTimeout(deadline);
      await renewing;
      // Stopped at the deadline, the lease may still be ours: delete it then, but never one someone took over.
      if (lost.signal.aborted) {
        const current = await admin.read(o.namespace, name);
        if (current?.holder !== k.me) return;
        record = current;
      }
      for (let attempt = 0; attempt < 3; attempt++) {
        const outcome = await admin.remove(record);
        if (outcome !== 'conflict') return;
        const current = await admin.read(o.namespace, name);
        if (current?.holder !== k.me) {
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

function parseProcess(text: string | undefined): (RunProcess & MachineMarks) | undefined {
  if (!text) return undefined;
  try {
    const p = JSON.parse(text) as RunProcess & MachineMarks;
    return typeof p.pid === 'number' && typeof p.host === 'string' && typeof p.started === 'string' ? p : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `body` holding the environment's lease: taken before, released after however `body` ends (an error, or
 * SIGINT/SIGTERM, which the write-ahead run turns into an aborted signal and so an error here). `body` gets the signal
 * that aborts if the lease is lost, and `checkHeld` to call before each step. A process killed outright leaves the lease to go stale, and be taken over.
 */
export async function withLease<T>(
  admin: LeaseAdmin,
  o: LeaseOptions,
  body: (lost: AbortSignal, checkHeld: () => void) => Promise<T>,
): Promise<T> {
  const lease = await acquireLease(admin, o);
  try {
    return await body(lease.lost, lease.checkHeld);
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
