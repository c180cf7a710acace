import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorClock } from '../common/clock.js';
import type { FaultInjector, FaultRates } from '../common/faults.js';
import { readBody, sendJson } from '../common/http-emulator.js';
import { RequestLog, type RecordedRequest } from '../common/request-log.js';
import type { SweepResult } from './lifecycle.js';
import type { OrgPolicy } from './org-policy.js';

/** Test-harness endpoints; never fault-injected and never recorded. */
export const CONTROL_PREFIX = '/_emulator/';

export const isControlRequest = (req: IncomingMessage) => (req.url ?? '').startsWith(CONTROL_PREFIX);

/** Records API traffic only: control requests are the harness talking, not the client under test. */
export class ApiRequestLog extends RequestLog {
  constructor(private readonly target: RequestLog) {
    super();
  }

  override record(entry: RecordedRequest): void {
    if (!entry.path.startsWith(CONTROL_PREFIX)) this.target.record(entry);
  }
}

export interface ControlTarget {
  clock: EmulatorClock;
  sweep(): SweepResult;
  log: RequestLog;
  faults: FaultInjector;
  orgPolicy: OrgPolicy;
}

const RATE_NAMES = ['p429', 'p503', 'pReset'] as const;

function parseRates(body: Record<string, unknown>): FaultRates | string {
  const rates: FaultRates = {};
  for (const name of RATE_NAMES) {
    const value = body[name];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !(value >= 0 && value <= 1)) return `${name} must be a number between 0 and 1`;
    rates[name] = value;
  }
  return rates;
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const raw = await readBody(req);
  if (raw.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `/_emulator/…` for another process (the sandbox CLI, a benchmark): move the clock, run a
 * lifecycle sweep, read the request log, change fault rates, set the organization policy.
 */
export async function handleControl(target: ControlTarget, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator');
  const route = `${req.method} ${url.pathname.slice(CONTROL_PREFIX.length)}`;
  const body = req.method === 'POST' ? await readJson(req) : {};
  if (!body) return sendJson(res, 400, { error: 'body must be a JSON object' });
  switch (route) {
    case 'GET health':
      return sendJson(res, 200, { ok: true });
    case 'GET clock':
      return sendJson(res, 200, { now: target.clock.now().toISOString() });
    case 'POST clock/advance': {
      if (typeof body.ms !== 'number' || !Number.isFinite(body.ms))
        return sendJson(res, 400, { error: 'ms must be a finite number' });
      target.clock.advance(body.ms);
      return sendJson(res, 200, { now: target.clock.now().toISOString() });
    }
    case 'POST sweep':
      return sendJson(res, 200, target.sweep());
    case 'GET requests':
      return sendJson(res, 200, { requests: target.log.entries });
    case 'DELETE requests':
      target.log.clear();
      return sendJson(res, 200, { cleared: true });
    case 'GET faults':
      return sendJson(res, 200, { rates: target.faults.rates });
    case 'POST faults': {
      const rates = parseRates(body);
      if (typeof rates === 'string') return sendJson(res, 400, { error: rates });
      target.faults.set(rates);
      return sendJson(res, 200, { rates });
    }
    case 'GET org-policy':
      return sendJson(res, 200, target.orgPolicy);
    case 'POST org-policy': {
      const seconds = body.softDeletePolicySeconds;
      if (seconds !== undefined && !(Array.isArray(seconds) && seconds.every((s) => Number.isInteger(s) && s >= 0)))
        return sendJson(res, 400, { error: 'softDeletePolicySeconds must be a list of whole seconds' });
      if (seconds === undefined) delete target.orgPolicy.softDeletePolicySeconds;
      else target.orgPolicy.softDeletePolicySeconds = seconds as number[];
      return sendJson(res, 200, target.orgPolicy);
    }
    default:
      return sendJson(res, 404, { error: `unknown control endpoint: ${route}` });
  }
}
