import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from '../common/http-emulator.js';

export const CONTROL_PATH = '/_emulator/config';

/** What a control endpoint reads and changes; the sandbox may widen it to cover every stand-in. */
export interface ControlSurface {
  read(): unknown;
  /** Throws on an invalid patch (answered 400). */
  apply(patch: unknown): unknown;
}

/** `GET /_emulator/config` shows the configuration; `PUT`/`PATCH`/`POST` with a JSON subset changes it at run time. */
export function controlEndpoint(surface: ControlSurface) {
  return {
    matches: (req: IncomingMessage) => new URL(req.url ?? '/', 'http://x').pathname === CONTROL_PATH,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      if (req.method === 'GET') return sendJson(res, 200, surface.read());
      if (!['PUT', 'PATCH', 'POST'].includes(req.method ?? ''))
        return sendJson(res, 405, { error: { code: 405, message: 'use GET, or PUT/PATCH with a JSON body' } });
      let patch: unknown;
      try {
        patch = JSON.parse((await readBody(req)).toString('utf8') || '{}');
        return sendJson(res, 200, surface.apply(patch));
      } catch (err) {
        return sendJson(res, 400, {
          error: { code: 400, message: `invalid configuration: ${(err as Error).message}` },
        });
      }
    },
  };
}
