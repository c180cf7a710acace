import {
  Agent,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { startHttpEmulator, type EmulatorHandle } from '../common/http-emulator.js';
import type { RequestLog } from '../common/request-log.js';
import type { LoadBalancerConfig } from './config.js';
import { delay, drawDelayMs } from './latency.js';

/** One request as the LB's own metrics see it (what feeds the Cloud Monitoring stand-in). */
export interface LbObservation {
  time: Date;
  method: string;
  path: string;
  /** 0 when no response reached the client. */
  responseCode: number;
  /** First byte received from the client to last byte sent back (`total_latencies`). */
  totalMs: number;
  /** Request sent to the backend to its last response byte (`backend_latencies`); absent when it never answered. */
  backendMs?: number;
  /** As in the LB's request logs, e.g. `backend_timeout`. */
  statusDetails: string;
}

export interface LoadBalancerOptions {
  backend: { host: string; port: number };
  tls: { key: string; cert: string };
  config: () => LoadBalancerConfig;
  onServed?: (observation: LbObservation) => void;
  /** Requests the LB answers itself, untimed and unobserved (the stand-in's control endpoint). */
  local?: {
    matches: (req: IncomingMessage) => boolean;
    handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  };
  log?: RequestLog;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'];

/**
 * A stand-in for a GCP external Application Load Balancer: terminates TLS, adds its own latency, answers 502
 * when the backend exceeds the backend service timeout, and cuts websockets when that timeout elapses.
 *
 * Once upgraded, a GCP LB proxies a websocket as opaque bytes, so at the timeout it closes the TCP connection
 * without a websocket close frame: clients report 1006 (abnormal closure). The stand-in does the same.
 */
export async function startLoadBalancer(opts: LoadBalancerOptions): Promise<EmulatorHandle> {
  const agent = new Agent({ keepAlive: true });
  const lb = await startHttpEmulator({
    service: 'poweb-lb',
    tls: opts.tls,
    log: opts.log,
    exempt: (req) => opts.local?.matches(req) ?? false,
    handler: (req, res) => (opts.local?.matches(req) ? opts.local.handle(req, res) : proxy(req, res)),
  });
  lb.server.on(
    'upgrade',
    (req: IncomingMessage, socket: Duplex, head: Buffer) => void tunnel(req, socket as Socket, head),
  );
  const close = lb.close;
  lb.close = async () => {
    agent.destroy();
    await close();
  };
  return lb;

  async function proxy(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const config = opts.config();
    const observe = (responseCode: number, statusDetails: string, backendMs?: number) =>
      opts.onServed?.({
        time: new Date(),
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        responseCode,
        totalMs: performance.now() - started,
        ...(backendMs === undefined ? {} : { backendMs }),
        statusDetails,
      });
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    if (!(await delay(drawDelayMs(config), clientGone.signal)))
      return observe(0, 'client_disconnected_before_any_response');

    const sentAt = performance.now();
    const upstream = httpRequest({
      host: opts.backend.host,
      port: opts.backend.port,
      method: req.method,
      path: req.url,
      agent,
      headers: {
        ...withoutHopByHop(req.headers),
        'x-forwarded-for': req.socket.remoteAddress ?? '',
        'x-forwarded-proto': 'https',
        via: '1.1 google',
      },
    });
    let settled = false;
    // Each request is observed exactly once, however it ends.
    const settle = (responseCode: number, statusDetails: string, backendMs?: number) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      observe(responseCode, statusDetails, backendMs);
    };
    const timer = setTimeout(() => {
      sendError(res, 502, 'backend_timeout');
      settle(502, 'backend_timeout');
      upstream.destroy();
    }, config.backendTimeoutMs);
    clientGone.signal.addEventListener('abort', () => {
      settle(0, 'client_disconnected_before_any_response');
      upstream.destroy();
    });
    upstream.on('error', () => {
      if (settled) return;
      sendError(res, 502, 'failed_to_connect_to_backend');
      settle(502, 'failed_to_connect_to_backend');
    });
    upstream.on('response', (answer) => {
      const status = answer.statusCode ?? 502;
      res.writeHead(status, { ...withoutHopByHop(answer.headers), via: '1.1 google' });
      let backendMs: number | undefined;
      answer.on('end', () => (backendMs = performance.now() - sentAt));
      res.on('finish', () => settle(status, 'response_sent_by_backend', backendMs));
      answer.pipe(res);
    });
    req.pipe(upstream);
  }

  async function tunnel(req: IncomingMessage, client: Socket, head: Buffer): Promise<void> {
    client.on('error', () => client.destroy());
    const config = opts.config();
    if (!(await delay(drawDelayMs(config)))) return;
    const backend = connect(opts.backend.port, opts.backend.host);
    // The backend service timeout bounds the websocket's whole life, idle or not.
    const cut = setTimeout(() => {
      backend.destroy();
      client.end();
    }, config.backendTimeoutMs);
    const finish = () => {
      clearTimeout(cut);
      backend.destroy();
      client.destroy();
    };
    backend.on('error', finish);
    backend.on('close', finish);
    client.on('close', finish);
    backend.on('connect', () => {
      backend.write(requestHead(req));
      if (head.length > 0) backend.write(head);
      client.pipe(backend);
      backend.pipe(client);
    });
  }
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const copy = { ...headers };
  for (const name of HOP_BY_HOP) delete copy[name];
  return copy;
}

/** The upgrade request as the backend must see it, hop-by-hop headers included (they carry the upgrade). */
function requestHead(req: IncomingMessage): string {
  const lines = [`${req.method} ${req.url} HTTP/1.1`];
  for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  lines.push(`X-Forwarded-For: ${req.socket.remoteAddress ?? ''}`, 'X-Forwarded-Proto: https', 'Via: 1.1 google');
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Shaped like a Google Front End's own error page. */
function sendError(res: ServerResponse, status: number, statusDetails: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `<!DOCTYPE html>\n<html lang=en><title>Error ${status} (Server Error)!!1</title><p><b>${status}.</b> <ins>That’s an error.</ins><p>The server encountered a temporary error and could not complete your request (${statusDetails}).</html>\n`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=UTF-8',
    'content-length': Buffer.byteLength(body),
    via: '1.1 google',
  });
  res.end(body);
}
