import http2, { type ClientHttp2Session, type IncomingHttpHeaders, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { FaultInjector } from './faults.js';
import { RequestLog, startRecording } from './request-log.js';

export interface GrpcRecorderOptions {
  service: string;
  /** `http://127.0.0.1:<port>` of the gRPC server to front. */
  upstream: string;
  port?: number;
  log?: RequestLog;
  faults?: FaultInjector;
}

export interface GrpcRecorder {
  port: number;
  host: string;
  log: RequestLog;
  faults: FaultInjector;
  close(): Promise<void>;
}

// gRPC status codes an injected fault answers with: what Google APIs return when throttling / unavailable.
const GRPC_RESOURCE_EXHAUSTED = 8;
const GRPC_UNAVAILABLE = 14;

/**
 * An HTTP/2 proxy in front of a gRPC emulator we did not write (Firestore's): it records every call
 * (method = `POST`, path = `/package.Service/Method`, status = the gRPC status code, 0 for OK) and can
 * inject faults like our own emulators: RESOURCE_EXHAUSTED, UNAVAILABLE, or a dropped connection.
 */
export async function startGrpcRecorder(opts: GrpcRecorderOptions): Promise<GrpcRecorder> {
  const log = opts.log ?? new RequestLog();
  const faults = opts.faults ?? new FaultInjector();
  let upstream: ClientHttp2Session | undefined;
  const session = () => {
    if (!upstream || upstream.destroyed || upstream.closed) {
      upstream = http2.connect(opts.upstream);
      upstream.on('error', () => undefined);
    }
    return upstream;
  };
  const server = http2.createServer();
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    // Keyed by the RPC's name (`/pkg.Service/Method` → `Method`), so `faults.failNext('503', 'RunTransferJob')` works.
    const fault = faults.decide(
      String(headers[':path'] ?? '')
        .split('/')
        .pop(),
    );
    const recordOnce = startRecording(log, {
      service: opts.service,
      method: 'POST',
      path: String(headers[':path'] ?? '/'),
      fault,
    });
    let recorded = false;
    // A call can end several ways (trailers, close, upstream error): only its first outcome counts.
    const record = (status: number) => {
      if (!recorded) recordOnce(status);
      recorded = true;
    };
    stream.on('error', () => undefined);
    if (fault === 'reset') {
      record(GRPC_UNAVAILABLE);
      stream.session?.destroy();
      return;
    }
    if (fault) {
      const code = fault === '429' ? GRPC_RESOURCE_EXHAUSTED : GRPC_UNAVAILABLE;
      stream.resume();
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc',
          'grpc-status': String(code),
          'grpc-message': encodeURIComponent(`injected fault ${fault}`),
        },
        { endStream: true },
      );
      record(code);
      return;
    }
    const forwarded = Object.fromEntries(
      Object.entries(headers).filter(([k]) => !k.startsWith(':') || k === ':method' || k === ':path'),
    );
    const up = session().request(forwarded);
    let trailers: IncomingHttpHeaders = {};
    up.on('response', (h) => {
      const { ':status': status, ...rest } = h;
      if (h['grpc-status'] !== undefined) {
        stream.respond({ ':status': status, ...rest }, { endStream: true });
        record(Number(h['grpc-status']));
        up.close();
        return;
      }
      stream.respond({ ':status': status, ...rest }, { waitForTrailers: true });
      up.pipe(stream);
    });
    up.on('trailers', (t) => (trailers = t));
    stream.on('wantTrailers', () => {
      stream.sendTrailers(trailers);
      record(Number(trailers['grpc-status'] ?? 0));
    });
    up.on('error', () => {
      record(GRPC_UNAVAILABLE);
      if (!stream.destroyed) stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
    });
    stream.on('close', () => {
      if (!up.closed) up.close();
      record(Number(trailers['grpc-status'] ?? 1));
    });
    stream.pipe(up);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  return {
    port,
    host: `127.0.0.1:${port}`,
    log,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        upstream?.destroy();
        server.close(() => resolve());
      }),
  };
}
