import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector } from './faults.js';
import { jsonPieces } from './json-pieces.js';
import { RequestLog, startRecording } from './request-log.js';

export type EmulatorHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpEmulatorOptions {
  service: string;
  handler: EmulatorHandler;
  /** 0 (default) lets the OS pick. */
  port?: number;
  log?: RequestLog;
  faults?: FaultInjector;
  /** Requests that bypass fault injection (e.g. a test-control endpoint). */
  exempt?: (req: IncomingMessage) => boolean;
  tls?: { key: string | Buffer; cert: string | Buffer };
  /** Body of an injected 429/503, shaped like the real API's error. */
  faultBody?: (status: number) => unknown;
  /**
   * A network round trip added to every request before it is answered (0, the default: none). A local
   * emulator answers in microseconds; a cloud API over a network in milliseconds, and a client's number
   * of sequential requests then counts. Benchmarks use it to model that.
   */
  latencyMs?: number;
}

export interface EmulatorHandle {
  service: string;
  url: string;
  port: number;
  log: RequestLog;
  faults: FaultInjector;
  server: Server;
  close(): Promise<void>;
}

const defaultFaultBody = (status: number) => ({
  error: {
    code: status,
    message: status === 429 ? 'Rate limit exceeded (injected)' : 'Service unavailable (injected)',
  },
});

/**
 * Starts an HTTP(S) emulator on 127.0.0.1: every request is recorded, and the fault injector
 * may answer 429/503 or drop the connection before the handler sees it.
 */
export async function startHttpEmulator(opts: HttpEmulatorOptions): Promise<EmulatorHandle> {
  const log = opts.log ?? new RequestLog();
  const faults = opts.faults ?? new FaultInjector();
  const sockets = new Set<Socket>();
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const started = Date.now();
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    const fault = opts.exempt?.(req) ? undefined : faults.decide();
    const record = startRecording(log, { service: opts.service, method, path, fault }, started);
    if (fault === 'reset') {
      record(0);
      req.socket.destroy();
      return;
    }
    if (fault) {
      const status = Number(fault);
      // Drain the body so the client sees a clean response rather than EPIPE.
      req.resume();
      req.on('end', () => {
        res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify((opts.faultBody ?? defaultFaultBody)(status)));
      });
      res.on('finish', () => record(status));
      return;
    }
    res.on('finish', () => record(res.statusCode));
    res.on('close', () => {
      if (!res.writableFinished) record(res.statusCode || 0);
    });
    const handle = () =>
      Promise.resolve(opts.handler(req, res)).catch((err: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 500, message: String((err as Error)?.message ?? err) } }));
        } else res.destroy();
      });
    if (opts.latencyMs) setTimeout(handle, opts.latencyMs);
    else void handle();
  };
  const server = opts.tls ? createHttpsServer(opts.tls, onRequest) : createHttpServer(onRequest);
  // Outlive the clients' idle keep-alive sockets: a server closing one just as a client reuses it
  // shows up as a spurious ECONNRESET, which would look like an injected fault.
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    service: opts.service,
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    log,
    faults,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads a whole request body (with events: an async iterator costs more than a small body). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.readableEnded) reject(new Error('the request closed before its body ended'));
    });
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const pieces = jsonPieces(body);
  let length = 0;
  for (const piece of pieces) length += Buffer.byteLength(piece);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': length, ...headers });
  const last = pieces.pop();
  for (const piece of pieces) res.write(piece);
  res.end(last);
}
