import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Intercepted {
  method: string;
  path: string;
  body: string;
}

/** A canned answer instead of the emulator's (e.g. the 403 a real project gives without IAM rights). */
export interface CannedResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

/** Forward the request, let the emulator act on it, then drop the connection: the client never sees the answer. */
export const LOSE_ANSWER = 'lose-answer' as const;

export interface Interceptor {
  url: string;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Sits between gwctl and the GCS emulator so a test can act at an exact moment of the
 * conversation — change the bucket just before gwctl's PATCH lands, or answer 403 as a
 * project without the right IAM role would. The real SDK talks to it over HTTP like to GCS.
 */
export async function startInterceptor(
  target: string,
  before: (
    req: Intercepted,
  ) => Promise<CannedResponse | typeof LOSE_ANSWER | undefined> | CannedResponse | typeof LOSE_ANSWER | undefined,
): Promise<Interceptor> {
  const server = createServer(async (req, res) => {
    try {
      const intercepted = { method: req.method ?? 'GET', path: req.url ?? '/', body: await readBody(req) };
      const canned = await before(intercepted);
      if (canned && canned !== LOSE_ANSWER) {
        res
          .writeHead(canned.status, { 'content-type': 'application/json', ...canned.headers })
          .end(JSON.stringify(canned.body));
        return;
      }
      const headers = Object.fromEntries(
        Object.entries(req.headers).filter(
          ([k, v]) => typeof v === 'string' && !['host', 'content-length', 'connection', 'accept-encoding'].includes(k),
        ),
      ) as Record<string, string>;
      const upstream = await fetch(`${target}${intercepted.path}`, {
        method: intercepted.method,
        headers,
        ...(intercepted.body && !['GET', 'HEAD'].includes(intercepted.method) ? { body: intercepted.body } : {}),
      });
      const text = await upstream.text();
      if (canned === LOSE_ANSWER) return void req.socket.destroy();
      res
        .writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' })
        .end(text);
    } catch (err) {
      res.writeHead(502).end(String(err));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export const forbidden = (
  message = 'gwctl-test@example.iam.gserviceaccount.com does not have storage.buckets.get access to the Google Cloud Storage bucket.',
): CannedResponse => ({
  status: 403,
  body: { error: { code: 403, message, errors: [{ message, domain: 'global', reason: 'forbidden' }] } },
});
