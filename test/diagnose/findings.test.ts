import { describe, expect, it } from 'vitest';
import { deriveFindings, dominantPhase } from '../../src/lib/diagnose/findings.js';
import type { WebsocketProbeResult } from '../../src/lib/diagnose/websocket-probe.js';

const held = (over: Partial<WebsocketProbeResult>): WebsocketProbeResult => ({
  url: 'wss://poweb.example/v1/parcel-collection',
  holdMs: 45_000,
  upgradeMs: 80,
  challengeMs: 90,
  closedBy: 'client',
  openMs: 45_000,
  code: 1000,
  reason: '',
  ...over,
});

describe('findings about parcel collection', () => {
  it('name GCP’s default timeout when the cut lands on it', () => {
    const [finding] = deriveFindings({ websocket: held({ closedBy: 'cut', openMs: 30_012, code: 1006 }) });
    expect(finding!.message).toBe(
      "websocket closed by the load balancer after 30.0 s: the connection ended without a close frame (1006), as a GCP load balancer ends a websocket when its backend service timeout elapses (GCP's default is 30.0 s)",
    );
  });

  it('blame the gateway, with its own fix, when it sends the close frame', () => {
    const [finding] = deriveFindings({
      websocket: held({ closedBy: 'server', openMs: 2100, code: 1011, reason: 'boom' }),
    });
    expect(finding).toMatchObject({
      code: 'websocket-closed-by-server',
      message: 'websocket closed by the server after 2.1 s with 1011 "boom"; keep-alive collection should stay open',
    });
    expect(finding!.fix).toContain('NATS');
  });

  it('say nothing about a collection held to the end', () => {
    expect(deriveFindings({ websocket: held({}) })).toEqual([]);
  });
});

describe('the slow phase of a request', () => {
  it('is read from curl-style cumulative timings', () => {
    const sample = {
      target: 'GET /' as const,
      startedAt: '',
      status: 200,
      timedOut: false,
      timings: { dnsMs: 1, connectMs: 3, tlsMs: 10, ttfbMs: 2010, totalMs: 2011 },
    };
    expect(dominantPhase(sample)).toEqual(['waiting for the first byte', 2000]);
  });
});
