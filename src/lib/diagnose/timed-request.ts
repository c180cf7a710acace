import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, type SecureContext } from 'node:tls';

/**
 * When each phase ended, in ms since the request started: cumulative, as curl's `-w` variables
 * (time_namelookup, time_connect, time_appconnect, time_starttransfer, time_total).
 * `dnsMs` is 0 for an IP address (nothing to resolve); `tlsMs` is absent over plain HTTP.
 */
export interface PhaseTimings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  ttfbMs?: number;
  totalMs: number;
}

export interface TimedResponse {
  status?: number;
  /** Network error code (`ECONNREFUSED`, `CERT_HAS_EXPIRED`, …), `timeout`, or absent on success. */
  errorCode?: string;
  error?: unknown;
  timedOut: boolean;
  timings: PhaseTimings;
}

export interface TimedRequestOptions {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer;
  /** Built once per probe: building it per request would add its cost to the TLS phase. */
  secureContext?: SecureContext;
  timeoutMs: number;
}

/**
 * One request on a fresh connection (as each `curl` run makes), timed at the socket's own events:
 * `lookup`, `connect`, `secureConnect`, and the first response byte. The socket is opened here and handed
 * to node:http, rather than through an Agent, so no client bookkeeping lands in the connect phase.
 */
export function timedRequest(url: URL, opts: TimedRequestOptions): Promise<TimedResponse> {
  return new Promise((resolve) => {
    const tls = url.protocol === 'https:';
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const port = Number(url.port) || (tls ? 443 : 80);
    const timings: Omit<PhaseTimings, 'totalMs'> = {};
    let status: number | undefined;
    let settled = false;
    let req: ClientRequest | undefined;

    const started = performance.now();
    const at = () => performance.now() - started;
    // TCP first and TLS on top once connected, as curl does: TLS set-up then counts in the TLS phase.
    const tcp = netConnect({ host, port });
    // As curl (and node:http's own sockets): Nagle would hold back small writes.
    tcp.setNoDelay(true);
    let socket: Socket = tcp;
    tcp.once('lookup', () => (timings.dnsMs = at()));
    // `on`, not `once`: a socket may error again while being torn down, and an unheard error would crash the CLI.
    tcp.on('error', (error: NodeJS.ErrnoException) => finish({ error, errorCode: error.code ?? 'ERR' }));
    tcp.once('connect', () => {
      timings.connectMs = at();
      if (tls) {
        socket = tlsConnect({
          socket: tcp,
          host,
          secureContext: opts.secureContext,
          ...(isIP(host) ? {} : { servername: host }),
          ALPNProtocols: ['http/1.1'],
        });
        socket.once('secureConnect', () => (timings.tlsMs = at()));
        socket.on('error', (error: NodeJS.ErrnoException) => finish({ error, errorCode: error.code ?? 'ERR' }));
      }
      // The first byte, as curl's time_starttransfer; 'response' would wait for the whole header block.
      socket.once('data', () => (timings.ttfbMs ??= at()));
      // The request is built only now, so no client bookkeeping delays the connect event; what it writes waits for TLS.
      send();
    });

    const timer = setTimeout(() => finish({ timedOut: true, errorCode: 'timeout' }), opts.timeoutMs);

    function send(): void {
      req = httpRequest({
        host,
        port,
        path: `${url.pathname}${url.search}`,
        method: opts.method,
        headers: {
          host: url.host,
          connection: 'close',
          ...opts.headers,
          ...(opts.body ? { 'content-length': String(opts.body.length) } : {}),
        },
        createConnection: () => socket,
      });
      req.on('response', (res: IncomingMessage) => {
        timings.ttfbMs ??= at();
        status = res.statusCode;
        res.on('error', (error) => finish({ error, errorCode: (error as NodeJS.ErrnoException).code ?? 'ERR' }));
        res.on('end', () => finish({}));
        res.resume();
      });
      req.on('error', (error: NodeJS.ErrnoException) => finish({ error, errorCode: error.code ?? 'ERR' }));
      req.end(opts.body);
    }

    function finish(outcome: Partial<TimedResponse>): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (timings.connectMs !== undefined) timings.dnsMs ??= 0;
      resolve({ status, timedOut: false, ...outcome, timings: { ...timings, totalMs: at() } });
      req?.destroy();
      socket.destroy();
    }
  });
}
