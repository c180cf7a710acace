import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/lib/diagnose/diagnosis.js';
import { evaluateSlo, parseSlo } from '../../src/lib/diagnose/slo.js';
import { ExitCode } from '../../src/lib/errors/gwctl-error.js';
import { quick, startGateway, type Gateway } from './fixtures.js';

describe('--slo', () => {
  it('reads p50/p90/p99/max with ms or s units', () => {
    expect(parseSlo(['p99=1s', 'p50=250ms', 'MAX = 2.5s', 'p90=1m'])).toEqual([
      { stat: 'p99', limitMs: 1000, text: 'p99=1s' },
      { stat: 'p50', limitMs: 250, text: 'p50=250ms' },
      { stat: 'max', limitMs: 2500, text: 'MAX = 2.5s' },
      { stat: 'p90', limitMs: 60_000, text: 'p90=1m' },
    ]);
  });

  it('refuses what it would have to guess', () => {
    expect(() => parseSlo(['p99=1'])).toThrow('--slo p99=1: "1" is not a duration; give a unit, e.g. 1s or 250ms');
    expect(() => parseSlo(['p95=1s'])).toThrow('expected <p50|p90|p99|max>=<duration>');
    expect(() => parseSlo(['p99=1s', 'p99=2s'])).toThrow('p99 is already set to p99=1s');
  });

  it('counts a delivery that got no response as a breach of any objective it reaches', () => {
    const sample = (totalMs: number, status?: number) => ({
      target: 'POST /v1/parcels' as const,
      startedAt: '',
      ...(status ? { status } : {}),
      timedOut: !status,
      timings: { totalMs },
    });
    const http = {
      status: 'ok' as const,
      result: {
        baseUrl: '',
        timeoutMs: 31_000,
        load: { concurrency: 1 },
        targets: [],
        samples: [sample(40, 401), sample(50, 401), sample(31_000)],
      },
    };
    const verdict = evaluateSlo(parseSlo(['p50=100ms', 'max=10s']), http)!;
    expect(verdict.checks.map((c) => [c.objective, c.measuredMs, c.met])).toEqual([
      ['p50=100ms', 50, true],
      ['max=10s', null, false],
    ]);
    expect(verdict.breached).toBe(true);
  });
});

describe('diagnose parcels with an SLO', () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway({ poweb: { backend: { latencyMs: 150, jitterMs: 0 } } });
  });
  afterAll(() => gateway.close());
  const httpOnly = new Set(['websocket', 'cogrpc', 'monitoring'] as const);

  it('exits 4 when parcel delivery breaches it', async () => {
    const report = await diagnose(gateway.env, quick({ skip: httpOnly, slo: parseSlo(['p99=100ms']) }));
    expect(report.slo).toMatchObject({
      target: 'POST /v1/parcels',
      breached: true,
      checks: [{ objective: 'p99=100ms', met: false }],
    });
    expect(report.slo!.checks[0]!.measuredMs).toBeGreaterThanOrEqual(150);
    expect(report.exitCode).toBe(ExitCode.sloBreach);
  });

  it('exits 0 when it is met', async () => {
    const report = await diagnose(gateway.env, quick({ skip: httpOnly, slo: parseSlo(['p99=5s', 'p50=2s']) }));
    expect(report.slo?.breached).toBe(false);
    expect(report.exitCode).toBe(ExitCode.ok);
  });

  it('exits 4 when parcel delivery cannot be measured at all', async () => {
    const env = { ...gateway.env, endpoints: { ...gateway.env.endpoints, poweb: 'https://127.0.0.1:1' } };
    const report = await diagnose(env, quick({ skip: httpOnly, slo: parseSlo(['p99=5s']) }));
    expect(report.slo).toMatchObject({
      breached: true,
      checks: [{ measuredMs: null, met: false }],
      note: expect.stringContaining('connection refused'),
    });
    expect(report.exitCode).toBe(ExitCode.sloBreach);
  });

  it('cannot be combined with --skip http', async () => {
    await expect(diagnose(gateway.env, quick({ skip: new Set(['http']), slo: parseSlo(['p99=1s']) }))).rejects.toThrow(
      '--slo applies to parcel delivery, which --skip http turns off',
    );
  });
});
