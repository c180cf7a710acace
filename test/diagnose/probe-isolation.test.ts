import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diagnose } from '../../src/lib/diagnose/diagnosis.js';
import { createLocalCa } from '@gwctl/emulators/ca';
import { quick, startGateway, writeCa, type Gateway } from './fixtures.js';

let gateway: Gateway;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(() => gateway.close());

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('each probe fails on its own', () => {
  it('an unreachable CogRPC is one line, and the other probes still measure', async () => {
    const env = { ...gateway.env, endpoints: { ...gateway.env.endpoints, cogrpc: `127.0.0.1:${await closedPort()}` } };
    const report = await diagnose(env, quick());
    expect(report.probes.cogrpc).toEqual({
      status: 'failed',
      error: expect.stringMatching(/^127\.0\.0\.1:\d+: connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
    });
    expect([report.probes.http.status, report.probes.websocket.status, report.probes.monitoring.status]).toEqual([
      'ok',
      'ok',
      'ok',
    ]);
    expect(report.exitCode).toBe(1);
  });

  it('a PoWeb certificate from an untrusted CA fails HTTP and websocket with one clear line each', async () => {
    const stranger = await createLocalCa();
    const env = { ...gateway.env, endpoints: { ...gateway.env.endpoints, caFile: writeCa(stranger.caPem) } };
    const report = await diagnose(env, quick({ skip: new Set(['cogrpc']) }));
    expect(report.probes.http).toMatchObject({
      status: 'failed',
      error: `${gateway.standIns.poweb}: TLS certificate not trusted (CERT_SIGNATURE_FAILURE); set endpoints.caFile to the CA that signed it`,
    });
    expect(report.probes.websocket).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('/v1/parcel-collection: TLS certificate not trusted'),
    });
    expect(report.probes.monitoring.status).toBe('ok');
  });

  it('an unreachable PoWeb is refused quickly, not retried for every request', async () => {
    const env = {
      ...gateway.env,
      endpoints: { ...gateway.env.endpoints, poweb: `https://127.0.0.1:${await closedPort()}` },
    };
    const started = Date.now();
    const report = await diagnose(env, quick({ requests: 20, skip: new Set(['websocket', 'cogrpc', 'monitoring']) }));
    expect(report.probes.http).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/connection refused; is the endpoint up and the port right\?$/),
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an unreadable CA file is named once per probe that needs it', async () => {
    const env = { ...gateway.env, endpoints: { ...gateway.env.endpoints, caFile: '/nonexistent/ca.pem' } };
    const report = await diagnose(env, quick());
    for (const probe of ['http', 'websocket', 'cogrpc'] as const) {
      expect(report.probes[probe]).toEqual({
        status: 'failed',
        error: 'cannot read endpoints.caFile /nonexistent/ca.pem (ENOENT)',
      });
    }
    expect(report.probes.monitoring.status).toBe('ok');
  });

  it('a Cloud Monitoring that is down fails only the monitoring probe', async () => {
    const env = { ...gateway.env, emulators: { monitoring: `127.0.0.1:${await closedPort()}` } };
    const started = Date.now();
    const report = await diagnose(env, quick({ skip: new Set(['websocket', 'cogrpc']) }));
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(report.probes.monitoring).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(
        /^Cloud Monitoring \(project gwctl-test\): UNAVAILABLE: connect ECONNREFUSED 127\.0\.0\.1:\d+$/,
      ),
    });
    expect(report.probes.http.status).toBe('ok');
  });

  it('refuses to run when the environment has nothing to measure', async () => {
    const env = {
      ...gateway.env,
      endpoints: {},
      monitoring: { urlMaps: [], forwardingRules: [], backendServices: [] },
    };
    await expect(diagnose(env, quick())).rejects.toThrow(
      'nothing to measure in emu: set endpoints.poweb, endpoints.cogrpc or monitoring.urlMaps in gwctl.yaml',
    );
  });
});
