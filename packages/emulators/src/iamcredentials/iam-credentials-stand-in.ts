import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson, startHttpEmulator, type EmulatorHandle } from '../common/http-emulator.js';

/** A token request as the stand-in saw it, for tests to check what a client asked for and with which credentials. */
export interface TokenCall {
  path: string;
  /** The `Authorization` header (`Bearer …`), or undefined. */
  authorization?: string;
  body: Record<string, unknown>;
}

export interface IamCredentialsStandIn extends EmulatorHandle {
  /** The Security Token Service's token endpoint, for an external account's `token_url` (workload identity federation). */
  stsTokenUrl: string;
  calls: TokenCall[];
  /** Service accounts the caller may not impersonate (403 PERMISSION_DENIED), as IAM refuses them. */
  deny(accounts: string[]): void;
}

const GENERATE = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):generateAccessToken$/;

/**
 * Where Google credentials come from when a service account is impersonated, on 127.0.0.1:
 * - `POST /v1/token`: the Security Token Service's token exchange (RFC 8693) that workload identity federation
 *   credentials (an `external_account` ADC file, as on a CI runner) make first
 *   (https://cloud.google.com/iam/docs/reference/sts/rest/v1/TopLevel/token), answered `{access_token,
 *   issued_token_type, token_type, expires_in}`. The subject token is not verified: the stand-in vouches for no one.
 * - the IAM Service Account Credentials API's `generateAccessToken`, which impersonation calls:
 * - `POST /v1/projects/-/serviceAccounts/{email}:generateAccessToken` with `{scope, lifetime, delegates?}`
 *   (https://cloud.google.com/iam/docs/reference/credentials/rest/v1/projects.serviceAccounts/generateAccessToken),
 *   answered `{accessToken, expireTime}`; 401 without a bearer token, 403 for an account it was told to deny.
 */
export async function startIamCredentialsStandIn(): Promise<IamCredentialsStandIn> {
  const calls: TokenCall[] = [];
  const denied = new Set<string>();
  let issued = 0;
  const handle = await startHttpEmulator({
    service: 'iamcredentials',
    handler: async (req: IncomingMessage, res: ServerResponse) => {
      const raw = (await readBody(req)).toString('utf8');
      const path = (req.url ?? '/').split('?')[0]!;
      const body = (req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')
        ? Object.fromEntries(new URLSearchParams(raw))
        : ((raw ? JSON.parse(raw) : {}) as Record<string, unknown>);
      calls.push({ path, authorization: req.headers.authorization, body });
      if (req.method === 'POST' && path === '/v1/token') {
        if (body.grant_type !== 'urn:ietf:params:oauth:grant-type:token-exchange' || !body.subject_token)
          return sendJson(res, 400, { error: 'invalid_request', error_description: 'expected a token exchange' });
        return sendJson(res, 200, {
          access_token: `source-token-${++issued}`,
          issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          token_type: 'Bearer',
          expires_in: 3600,
        });
      }
      const target = req.method === 'POST' ? GENERATE.exec(path)?.[1] : undefined;
      if (!target) return sendJson(res, 404, { error: { code: 404, message: 'Not Found', status: 'NOT_FOUND' } });
      const email = decodeURIComponent(target);
      if (!/^Bearer \S+/.test(req.headers.authorization ?? ''))
        return sendJson(res, 401, {
          error: {
            code: 401,
            message: 'Request is missing required authentication credential.',
            status: 'UNAUTHENTICATED',
          },
        });
      if (denied.has(email))
        return sendJson(res, 403, {
          error: {
            code: 403,
            message: "Permission 'iam.serviceAccounts.getAccessToken' denied on resource (or it may not exist).",
            status: 'PERMISSION_DENIED',
          },
        });
      const seconds = Number(/^(\d+)s$/.exec(String(body.lifetime ?? '3600s'))?.[1] ?? 3600);
      return sendJson(res, 200, {
        accessToken: `impersonated-${email}-${++issued}`,
        expireTime: new Date(Date.now() + seconds * 1000).toISOString(),
      });
    },
  });
  return {
    ...handle,
    stsTokenUrl: `${handle.url}/v1/token`,
    calls,
    deny: (accounts) => {
      denied.clear();
      for (const a of accounts) denied.add(a);
    },
  };
}
