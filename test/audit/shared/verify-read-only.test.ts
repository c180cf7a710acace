import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SharedLog } from '../../../src/lib/audit/shared/shared-log.js';
import { encodeEntry } from '../../../src/lib/audit/shared/shared-sink.js';
import { GcsLogStore } from '../../../src/lib/cloud/log-bucket.js';
import { SANDBOX_AUDIT_BUCKET } from '../../../src/lib/sandbox/environment.js';
import { noteVerifierFromKey } from '../../../src/lib/tlog/index.js';
import { resultOf, runGwctl, tempDir } from '../../helpers/cli.js';
import { startGatewayFixture, type GatewayFixture } from '../../helpers/gateway-fixture.js';

const gwctl = (fx: GatewayFixture, ...args: string[]) => runGwctl(args, { cwd: tempDir(), env: fx.cliEnv });

describe('a third party’s `audit verify --key` changes nothing in the log', () => {
  let f: GatewayFixture;
  beforeAll(async () => {
    f = await startGatewayFixture({ sandbox: true });
  }, 120_000);
  afterAll(() => f?.close());

  it('lists a run that died as open and records no outcome for it; the operator’s own verify does', async () => {
    const key = (await gwctl(f, 'audit', 'key', '--env', 'sandbox')).stdout.trim();
    const store = new GcsLogStore(f.env(), SANDBOX_AUDIT_BUCKET, 'log/');
    const origin = key.split('+')[0]!;
    // A change on this host whose process is gone (kill -9) before its outcome: its intent is sequenced...
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const log = new SharedLog({ store, origin, verifier: noteVerifierFromKey(key), signer: () => Promise.reject() });
    const time = new Date().toISOString();
    await log.sequence((index) => [
      Buffer.from(
        encodeEntry(
          {
            kind: 'intent',
            operator: 'os:sre@laptop',
            command: 'bucket ttl set',
            env: 'sandbox',
            planDigest: 'sha256:x',
            summary: 'set the TTL',
            steps: 1,
            run: 'deadrun',
            process: { pid: gone, host: hostname(), started: time },
          },
          index,
          time,
        ),
      ),
    ]);
    // ...and the next change (which closes only this machine's own progress files) integrates it.
    expect((await gwctl(f, 'bucket', 'ttl', 'set', '--env', 'sandbox', '-d', '3', '--yes')).code).toBe(0);
    const seqBefore = (await store.list('seq/')).length;

    const third = await gwctl(f, 'audit', 'verify', '--env', 'sandbox', '--key', key, '--json');
    expect(third.code, third.stderr).toBe(0);
    expect(resultOf(third).open).toEqual([expect.objectContaining({ run: 'deadrun', state: 'gone' })]);
    expect((await store.list('seq/')).length).toBe(seqBefore);

    const own = await gwctl(f, 'audit', 'verify', '--env', 'sandbox', '--json');
    expect(own.code, own.stderr).toBe(0);
    expect(own.stderr).toMatch(/run deadrun\) died without recording its outcome: recorded now as abandoned/);
    expect(resultOf(own).open).toEqual([]);
    expect((await store.list('seq/')).length).toBe(seqBefore + 1);
  });
});
