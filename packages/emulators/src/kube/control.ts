import type { IncomingMessage, ServerResponse } from 'node:http';
import { ratesFromProbability, type FaultInjector, type FaultRates } from '../common/faults.js';
import { readBody, sendJson } from '../common/http-emulator.js';
import { RequestLog, type RecordedRequest } from '../common/request-log.js';
import type { AccessDenial, AccessRules } from './access-review.js';
import type { KubeApiServer } from './api-server.js';
import type { GkeIngressController } from './gke-ingress-controller.js';

const CONTROL_PREFIX = '/_emulator/';

export const isControlRequest = (req: IncomingMessage): boolean => (req.url ?? '').startsWith(CONTROL_PREFIX);

/** Forwards entries to the caller's log, leaving out the control endpoint's own traffic. */
export class ControlFilteredLog extends RequestLog {
  constructor(private readonly target: RequestLog) {
    super();
  }

  override record(entry: RecordedRequest): void {
    if (!entry.path.startsWith(CONTROL_PREFIX)) this.target.record(entry);
  }
}

export interface ControlDeps {
  api: KubeApiServer;
  faults: FaultInjector;
  log: RequestLog;
  ingress: GkeIngressController;
  access: AccessRules;
}

/**
 * Test and sandbox controls, never faulted nor recorded:
 * `POST faults` ({p429,p503,pReset} or {probability}), `GET faults`, `GET requests`,
 * `POST lb-teardown` ({ms}), `GET state`, `POST seed` ({objects} or an array), `POST access` ({deny: [...]},
 * see AccessDenial) and `GET access`.
 */
export function createControlHandler(deps: ControlDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://kube.invalid');
    const route = `${req.method ?? 'GET'} ${url.pathname.slice(CONTROL_PREFIX.length).replace(/\/+$/, '')}`;
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return sendJson(res, 400, { error: 'body must be JSON' });
    }
    try {
      switch (route) {
        case 'POST faults': {
          const rates: FaultRates =
            typeof body.probability === 'number' ? ratesFromProbability(body.probability) : (body as FaultRates);
          deps.faults.set(rates);
          return sendJson(res, 200, { rates: deps.faults.rates });
        }
        case 'GET faults':
          return sendJson(res, 200, { rates: deps.faults.rates });
        case 'GET requests':
          return sendJson(res, 200, {
            requests: deps.log.list({ service: 'kube', method: url.searchParams.get('method') ?? undefined }),
          });
        case 'POST lb-teardown': {
          const ms = Number(body.ms);
          if (!(ms >= 0)) return sendJson(res, 400, { error: 'ms must be a non-negative number' });
          deps.ingress.teardownMs = ms;
          return sendJson(res, 200, { ms });
        }
        case 'GET state':
          return sendJson(res, 200, { ...deps.api.store.snapshot(), lbTeardownMs: deps.ingress.teardownMs });
        case 'POST access':
          deps.access.deny(Array.isArray(body.deny) ? (body.deny as AccessDenial[]) : []);
          return sendJson(res, 200, { deny: deps.access.rules });
        case 'GET access':
          return sendJson(res, 200, { deny: deps.access.rules });
        case 'POST seed': {
          const objects = Array.isArray(body) ? body : Array.isArray(body.objects) ? body.objects : [];
          return sendJson(res, 200, { seeded: deps.api.seed(objects).length });
        }
      }
    } catch (err) {
      return sendJson(res, 400, { error: (err as Error).message });
    }
    sendJson(res, 404, { error: `unknown control endpoint ${route}` });
  };
}
