import type { IncomingMessage } from 'node:http';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { describeNetworkError } from './network-errors.js';
import { ProbeFailure } from './probe-outcome.js';

export const PARCEL_COLLECTION_PATH = '/v1/parcel-collection';

/**
 * Who ended the connection. `client`: the probe, at the end of the hold (the healthy outcome).
 * `server`: the far end sent a close frame (the gateway, e.g. 1008 or 1011). `cut`: the TCP connection
 * ended without a close frame (1006), which is how a GCP load balancer ends a websocket at its timeout.
 */
export type ClosedBy = 'client' | 'server' | 'cut';

export interface WebsocketProbeResult {
  url: string;
  holdMs: number;
  /** Request sent → 101 Switching Protocols. */
  upgradeMs: number;
  /** Request sent → the gateway's handshake challenge, the first message it sends. */
  challengeMs?: number;
  closedBy: ClosedBy;
  /** How long the websocket was open (101 → close). */
  openMs: number;
  code: number;
  reason: string;
}

export interface WebsocketProbeOptions {
  baseUrl: string;
  caPem?: string;
  holdMs: number;
  /** For the upgrade itself. */
  timeoutMs: number;
}

/**
 * Opens parcel collection as a keep-alive client would, without an Origin header (the gateway refuses
 * browsers), never answers the handshake challenge (so nothing is collected), and holds it for `holdMs`.
 */
export function probeWebsocket(opts: WebsocketProbeOptions): Promise<WebsocketProbeResult> {
  const url = new URL(PARCEL_COLLECTION_PATH, opts.baseUrl.replace(/^http/, 'ws'));
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let openedAt: number | undefined;
    let challengeMs: number | undefined;
    let closingByClient = false;
    let holdTimer: NodeJS.Timeout | undefined;
    const ws = new WebSocket(url, {
      headers: { 'X-Relaynet-Streaming-Mode': 'keep-alive', 'User-Agent': 'gwctl-diagnose' },
      handshakeTimeout: opts.timeoutMs,
      ...(opts.caPem ? { ca: opts.caPem } : {}),
    });
    ws.on('upgrade', () => (openedAt = performance.now()));
    ws.once('message', () => (challengeMs = performance.now() - started));
    ws.on('open', () => {
      holdTimer = setTimeout(() => {
        closingByClient = true;
        ws.close(1000, 'gwctl diagnose: hold finished');
        // ws waits 30 s for the closing handshake; a far end that never answers should not hold the report.
        setTimeout(() => ws.terminate(), 2000).unref();
      }, opts.holdMs);
    });
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      res.resume();
      ws.terminate();
      reject(
        new ProbeFailure(`${url.href}: upgrade refused with HTTP ${res.statusCode}; a healthy gateway answers 101`),
      );
    });
    ws.on('error', (err) => {
      clearTimeout(holdTimer);
      if (openedAt === undefined) reject(new ProbeFailure(describeNetworkError(err, url.href)));
    });
    ws.on('close', (code, reason) => {
      clearTimeout(holdTimer);
      if (openedAt === undefined)
        return reject(new ProbeFailure(`${url.href}: closed before the upgrade completed (code ${code})`));
      resolve({
        url: url.href,
        holdMs: opts.holdMs,
        upgradeMs: openedAt - started,
        ...(challengeMs === undefined ? {} : { challengeMs }),
        closedBy: closingByClient ? 'client' : code === 1006 ? 'cut' : 'server',
        openMs: (closingByClient ? openedAt + opts.holdMs : performance.now()) - openedAt,
        code,
        reason: reason.toString('utf8'),
      });
    });
  });
}
