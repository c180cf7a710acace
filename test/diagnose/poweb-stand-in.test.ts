import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { openMonitoring } from '../../src/lib/cloud/monitoring.js';
import { lbFilter, LB_METRIC_TYPES } from '../../src/lib/diagnose/monitoring-probe.js';
import { startDiagnoseStandIns, type DiagnoseStandIns } from '@gwctl/emulators/stand-ins';
import { environmentFor } from './fixtures.js';

let standIns: DiagnoseStandIns;
beforeAll(async () => {
  standIns = await startDiagnoseStandIns();
});
afterAll(() => standIns.close());

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  const url = new URL(path, standIns.poweb);
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, ca: standIns.caPem }, (res) => {
      let text = '';
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Opens parcel collection and reports how it ends. */
function collect(
  headers: Record<string, string>,
  opts: { origin?: string; answerChallenge?: boolean; closeAfterMs?: number } = {},
) {
  return new Promise<{ code: number; reason: string; messages: number }>((resolve) => {
    const ws = new WebSocket(new URL('/v1/parcel-collection', standIns.poweb.replace('https', 'wss')), {
      ca: standIns.caPem,
      headers,
      ...(opts.origin ? { origin: opts.origin } : {}),
    });
    let messages = 0;
    ws.on('message', () => {
      messages += 1;
      if (opts.answerChallenge && messages === 1) ws.send(Buffer.from('handshake response'));
    });
    if (opts.closeAfterMs) setTimeout(() => ws.close(1000), opts.closeAfterMs);
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString(), messages }));
  });
}

describe('the PoWeb stand-in behind its load balancer', () => {
  it('answers GET / like the gateway’s health check', async () => {
    const answer = await call('GET', '/');
    expect(answer).toMatchObject({ status: 200, body: 'Success! The PoWeb service works.' });
    expect(answer.headers.via).toBe('1.1 google');
  });

  it('refuses an uncountersigned parcel with 401 and the wrong content type with 415', async () => {
    const parcel = { 'content-type': 'application/vnd.awala.parcel' };
    expect(await call('POST', '/v1/parcels', parcel, 'x')).toMatchObject({
      status: 401,
      headers: { 'www-authenticate': 'Relaynet-Countersignature' },
    });
    expect(
      (await call('POST', '/v1/parcels', { ...parcel, authorization: 'Relaynet-Countersignature bm90IHZhbGlk' }, 'x'))
        .status,
    ).toBe(401);
    expect((await call('POST', '/v1/parcels', { 'content-type': 'text/plain' }, 'x')).status).toBe(415);
  });

  it('keeps a keep-alive collection open and ends close-upon-completion with 1000 once the handshake is done', async () => {
    expect(
      await collect({ 'X-Relaynet-Streaming-Mode': 'keep-alive' }, { answerChallenge: true, closeAfterMs: 500 }),
    ).toEqual({ code: 1000, reason: '', messages: 1 });
    expect(await collect({ 'X-Relaynet-Streaming-Mode': 'close-upon-completion' }, { answerChallenge: true })).toEqual({
      code: 1000,
      reason: '',
      messages: 1,
    });
  });

  it('closes a browser’s collection (Origin header) with 1008', async () => {
    expect(await collect({}, { origin: 'https://example.com' })).toEqual({
      code: 1008,
      reason: 'Web browser requests are disabled for security reasons',
      messages: 0,
    });
  });

  it('is reconfigured at run time through /_emulator/config, and its LB answers 502 when the gateway is too slow', async () => {
    const changed = await call(
      'PUT',
      '/_emulator/config',
      { 'content-type': 'application/json' },
      JSON.stringify({ poweb: { backend: { latencyMs: 400, jitterMs: 0 }, lb: { backendTimeoutMs: 100 } } }),
    );
    expect(changed.status).toBe(200);
    expect(JSON.parse(changed.body).poweb.lb.backendTimeoutMs).toBe(100);
    const late = await call('GET', '/');
    expect(late.status).toBe(502);
    expect(late.body).toContain('backend_timeout');
    expect(
      (await call('PUT', '/_emulator/config', {}, JSON.stringify({ poweb: { lb: { backendTimeoutMs: -1 } } }))).status,
    ).toBe(400);
    standIns.configure({ poweb: { backend: { latencyMs: 2 }, lb: { backendTimeoutMs: 30_000 } } });
    expect((await call('GET', '/')).status).toBe(200);
  });

  it('feeds what its LB served to the Cloud Monitoring stand-in', async () => {
    standIns.configure({ monitoring: { scenario: null } });
    const reader = await openMonitoring(environmentFor(standIns, ''));
    const classes = () =>
      reader.sumByLabel({
        metricType: LB_METRIC_TYPES.requests,
        filter: lbFilter({ urlMaps: [standIns.lb.urlMap], forwardingRules: [], backendServices: [] }),
        since: new Date(Date.now() - 60_000),
        until: new Date(),
        label: 'response_code_class',
      });
    const before = await classes();
    await call('POST', '/v1/parcels', { 'content-type': 'application/vnd.awala.parcel' }, 'x');
    const after = await classes();
    expect((after['400'] ?? 0) - (before['400'] ?? 0)).toBe(1);
    await reader.close();
  });
});
