import { afterEach, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/lib/diagnose/diagnosis.js';
import type { Finding } from '../../src/lib/diagnose/findings.js';
import { quick, startGateway, type Gateway } from './fixtures.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

const codes = (findings: Finding[]) => findings.map((f) => f.code);

describe('diagnose parcels, against stand-ins of the gateway and its load balancer', () => {
  it('finds nothing wrong with a healthy gateway', async () => {
    gateway = await startGateway();
    const report = await diagnose(gateway.env, quick());
    expect(Object.values(report.probes).map((p) => p.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(report.findings).toEqual([]);
    expect(report.exitCode).toBe(0);
  });

  it('reports a websocket the load balancer cuts at its backend timeout, with the BackendConfig fix', async () => {
    gateway = await startGateway({ poweb: { lb: { backendTimeoutMs: 1500 } } });
    const report = await diagnose(
      gateway.env,
      quick({ holdMs: 3000, skip: new Set(['http', 'cogrpc', 'monitoring']) }),
    );
    const ws = report.probes.websocket.status === 'ok' ? report.probes.websocket.result : undefined;
    expect(ws).toMatchObject({ closedBy: 'cut', code: 1006 });
    expect(ws!.openMs).toBeGreaterThan(1300);
    expect(ws!.openMs).toBeLessThan(2500);
    const [finding] = report.findings;
    expect(finding).toMatchObject({ code: 'websocket-cut-by-lb', severity: 'error' });
    expect(finding!.message).toMatch(/^websocket closed by the load balancer after 1\.[4-9] s/);
    expect(finding!.fix).toContain('BackendConfig `timeoutSec`');
    expect(finding!.fix).toContain('its own backend service');
  });

  it('keeps a keep-alive collection open for the whole hold when the timeout allows it', async () => {
    gateway = await startGateway({ poweb: { lb: { backendTimeoutMs: 10_000 } } });
    const report = await diagnose(
      gateway.env,
      quick({ holdMs: 1500, skip: new Set(['http', 'cogrpc', 'monitoring']) }),
    );
    expect(report.probes.websocket).toMatchObject({ status: 'ok', result: { closedBy: 'client', code: 1000 } });
    expect(report.findings).toEqual([]);
  });

  it('spots a CogRPC cold start from the first call against warm ones', async () => {
    gateway = await startGateway({ cogrpc: { coldStartMs: 800, scaleToZero: true } });
    const report = await diagnose(gateway.env, quick({ skip: new Set(['http', 'websocket', 'monitoring']) }));
    const c = report.probes.cogrpc.status === 'ok' ? report.probes.cogrpc.result : undefined;
    expect(c!.firstCall.ms).toBeGreaterThanOrEqual(800);
    expect(c!.warmMedianMs).toBeLessThan(80);
    expect(codes(report.findings)).toEqual(['cogrpc-cold-start']);
    expect(report.findings[0]!.message).toMatch(
      /^first CogRPC call (8\d\d|9\d\d) ms vs warm \d+(\.\d)? ms: the service scaled to zero/,
    );
    expect(report.findings[0]!.fix).toContain('minimum instance');
  });

  it('does not call a CogRPC that is already warm a cold start', async () => {
    gateway = await startGateway({ cogrpc: { coldStartMs: 800, idleMs: 60_000, scaleToZero: true } });
    const cogrpcOnly = quick({ skip: new Set(['http', 'websocket', 'monitoring']) });
    expect(codes((await diagnose(gateway.env, cogrpcOnly)).findings)).toEqual(['cogrpc-cold-start']);
    expect((await diagnose(gateway.env, cogrpcOnly)).findings).toEqual([]);
  });

  it('splits LB time from gateway time: backend p99 0.2 s but total p99 31 s', async () => {
    gateway = await startGateway({
      monitoring: { scenario: { requests: 2000, backendMs: { p50: 40, p99: 200 }, totalMs: { p50: 60, p99: 31_000 } } },
    });
    const report = await diagnose(gateway.env, quick({ skip: new Set(['http', 'websocket', 'cogrpc']) }));
    const finding = report.findings.find((f) => f.code === 'lb-latency-gap');
    expect(finding?.message).toMatch(
      /^backend p99 (1[5-9]\d|2[01]\d) ms but total p99 (2[4-9]|3[0-3])\.\d s over the last 1 h: time is spent in the LB\/network, not the gateway$/,
    );
    expect(codes(report.findings)).toEqual(['lb-latency-gap']);
  });

  it('counts deliveries that stall past the request timeout', async () => {
    gateway = await startGateway({ poweb: { lb: { stallFraction: 1, stallMs: 1500 } } });
    const report = await diagnose(
      gateway.env,
      quick({ requests: 2, requestTimeoutMs: 800, skip: new Set(['websocket', 'cogrpc']) }),
    );
    const http = report.probes.http.status === 'ok' ? report.probes.http.result : undefined;
    expect(http!.targets.map((t) => t.timeouts)).toEqual([2, 2]);
    const timeouts = report.findings.filter((f) => f.code === 'http-timeouts');
    expect(timeouts.map((f) => f.message)).toEqual([
      '2 of 2 health checks (GET /) got no response within 800 ms',
      '2 of 2 parcel deliveries (POST /v1/parcels) got no response within 800 ms',
    ]);
    // The healthy scenario's backend p99 (~200 ms) says the gateway is not the one holding requests.
    expect(timeouts[1]!.fix).toMatch(/the gateway answers its load balancer fast \(backend p99 \d+ ms\)/);
  });

  it('flags an unauthenticated delivery answered with anything but 401', async () => {
    // The gateway takes longer than the LB waits for it: the LB answers 502 itself.
    gateway = await startGateway({
      poweb: { backend: { latencyMs: 600, jitterMs: 0 }, lb: { backendTimeoutMs: 200 } },
    });
    const report = await diagnose(
      gateway.env,
      quick({ requests: 2, skip: new Set(['websocket', 'cogrpc', 'monitoring']) }),
    );
    const unexpected = report.findings.filter((f) => f.code === 'http-unexpected-status');
    expect(unexpected.map((f) => f.message)).toEqual([
      'GET / answered 502 ×2; a healthy gateway answers 200',
      'POST /v1/parcels without a countersignature answered 502 ×2; a healthy gateway answers 401',
    ]);
    expect(unexpected[1]!.fix).toContain('PoWeb pods');
  });

  it('notices when the load balancer itself answers 5xx in Cloud Monitoring', async () => {
    gateway = await startGateway({
      monitoring: {
        scenario: {
          requests: 1000,
          backendMs: { p50: 30, p99: 150 },
          totalMs: { p50: 40, p99: 200 },
          responseCodes: { 401: 0.95, 502: 0.05 },
        },
      },
    });
    const report = await diagnose(gateway.env, quick({ skip: new Set(['http', 'websocket', 'cogrpc']) }));
    expect(report.findings.map((f) => f.message)).toEqual([
      '5.0 % of 1000 requests got a 5xx at the load balancer over the last 1 h',
    ]);
  });
});
