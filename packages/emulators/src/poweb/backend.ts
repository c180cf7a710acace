import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { readBody, startHttpEmulator, type EmulatorHandle } from '../common/http-emulator.js';
import type { RequestLog } from '../common/request-log.js';
import { delay, drawDelayMs, type LatencyProfile } from './latency.js';

export const PARCEL_CONTENT_TYPE = 'application/vnd.awala.parcel';
export const PARCEL_COLLECTION_PATH = '/v1/parcel-collection';
export const HEALTHCHECK_TEXT = 'Success! The PoWeb service works.';

/** Close codes the gateway uses on the parcel collection websocket. */
export const WebSocketCode = { normal: 1000, cannotAccept: 1003, violatedPolicy: 1008, serverError: 1011 } as const;

export interface PowebBackend {
  /** Plain HTTP, as GCP load balancers talk to GKE backends. */
  url: string;
  port: number;
  emulator: EmulatorHandle;
  close(): Promise<void>;
}

/**
 * The PoWeb service as the gateway implements it, minus cryptography: it cannot verify a countersignature
 * or a handshake nonce signature, so every countersignature is refused (401) and any handshake response accepted.
 */
export async function startPowebBackend(opts: {
  latency: () => LatencyProfile;
  log?: RequestLog;
}): Promise<PowebBackend> {
  const wait = (signal?: AbortSignal) => delay(drawDelayMs(opts.latency()), signal);
  const emulator = await startHttpEmulator({
    service: 'poweb',
    log: opts.log,
    handler: (req, res) => handle(req, res, wait),
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 });
  emulator.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (new URL(req.url ?? '/', 'http://poweb').pathname !== PARCEL_COLLECTION_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    void wait().then(() => wss.handleUpgrade(req, socket, head, (ws) => collectParcels(ws, req, opts.log)));
  });
  return {
    url: emulator.url,
    port: emulator.port,
    emulator,
    close: async () => {
      wss.close();
      await emulator.close();
    },
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  wait: (signal?: AbortSignal) => Promise<boolean>,
): Promise<void> {
  const gone = new AbortController();
  res.on('close', () => gone.abort());
  const path = new URL(req.url ?? '/', 'http://poweb').pathname;
  if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    if (!(await wait(gone.signal))) return;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(HEALTHCHECK_TEXT) });
    res.end(req.method === 'HEAD' ? undefined : HEALTHCHECK_TEXT);
    return;
  }
  if (path === '/v1/parcels') {
    if (req.method !== 'POST') return reply(res, 405, { message: `${req.method} is not allowed` }, { allow: 'POST' });
    await readBody(req);
    if (!(await wait(gone.signal))) return;
    // The gateway compares the header verbatim, so parameters such as `; charset` are refused too.
    if (req.headers['content-type'] !== PARCEL_CONTENT_TYPE) return reply(res, 415);
    // Missing, malformed or (since the stand-in holds no certificates to verify against) any countersignature.
    return reply(
      res,
      401,
      { message: 'Parcel delivery countersignature is either missing or invalid' },
      { 'www-authenticate': 'Relaynet-Countersignature' },
    );
  }
  reply(res, 404, { message: `Route ${req.method}:${path} not found`, error: 'Not Found', statusCode: 404 });
}

function reply(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...(text ? { 'content-type': 'application/json; charset=utf-8' } : {}),
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** Mirrors the gateway: refuse browsers, send a handshake challenge, then stream or close per the streaming mode. */
function collectParcels(ws: WebSocket, req: IncomingMessage, log?: RequestLog): void {
  const opened = Date.now();
  ws.on('close', () =>
    log?.record({
      service: 'poweb',
      method: 'GET',
      path: PARCEL_COLLECTION_PATH,
      status: 101,
      time: new Date(opened).toISOString(),
      durationMs: Date.now() - opened,
    }),
  );
  if (req.headers.origin) {
    ws.close(WebSocketCode.violatedPolicy, 'Web browser requests are disabled for security reasons');
    return;
  }
  const keepAlive = req.headers['x-relaynet-streaming-mode'] !== 'close-upon-completion';
  ws.send(Buffer.concat([Buffer.from('stand-in handshake challenge:'), randomBytes(16)]));
  let handshakeDone = false;
  ws.on('message', () => {
    if (!handshakeDone) {
      handshakeDone = true;
      // No parcels are ever queued here: close-upon-completion ends at once, keep-alive waits for parcels that never come.
      if (!keepAlive) ws.close(WebSocketCode.normal);
      return;
    }
    ws.close(WebSocketCode.cannotAccept, 'Unknown delivery id sent as acknowledgement');
  });
}
