import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openBucketAdmin } from '../../src/lib/cloud/buckets.js';
import { sandboxEnvironment } from '../../src/lib/sandbox/environment.js';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';

const BIN = resolve(import.meta.dirname, '../../bin/run.js');

async function stop(home: string) {
  const r = await runGwctl(['sandbox', 'stop', '--json'], { env: { GWCTL_HOME: home } });
  expect(r.code, r.stderr).toBe(0);
}

/** GET a bucket n times straight at the emulator: how many answers were injected faults. */
async function injectedFaults(gcs: string, n: number): Promise<number> {
  let faults = 0;
  for (let i = 0; i < n; i++) {
    try {
      const res = await fetch(`${gcs}/storage/v1/b/relaycorp-gateway-sandbox-vault`);
      if (res.status === 429 || res.status === 503) faults++;
      await res.arrayBuffer();
    } catch {
      faults++; // a dropped connection
    }
  }
  return faults;
}

describe('gwctl sandbox start --faults (the help’s own example)', () => {
  it('starts and seeds three times out of three, and the faults are on once it is ready', async () => {
    for (let attempt = 1; attempt <= 3; attempt++) {
      const home = tempDir();
      const r = await runGwctl(['sandbox', 'start', '--detach', '--faults', 'gcs=0.1,kube=0.05', '--json'], {
        env: { GWCTL_HOME: home },
      });
      try {
        expect(r.code, `attempt ${attempt}: ${r.stderr}`).toBe(0);
        const env = sandboxEnvironment(join(home, 'sandbox'));
        // Seeded in full: 300 Vault objects (our retrying client rides out the faults now on).
        expect((await openBucketAdmin(env).then((b) => b.inventory('relaycorp-gateway-sandbox-vault'))).objects).toBe(
          300,
        );
        expect(await injectedFaults(resultOf(r).endpoints.gcs, 200)).toBeGreaterThan(0);
      } finally {
        await stop(home);
      }
    }
  });
});

describe('a start killed while seeding', () => {
  it('leaves nothing that breaks the next start, which seeds afresh', async () => {
    const home = tempDir();
    const requests = join(home, 'sandbox', 'requests.jsonl');
    const first = spawn(process.execPath, [BIN, 'sandbox', 'start'], {
      env: { ...process.env, GWCTL_HOME: home },
      stdio: 'ignore',
    });
    // Kill -9 once the buckets exist and objects are being written: the half-seeded state that used to stick.
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const lines = existsSync(requests) ? readFileSync(requests, 'utf8').split('\n').length : 0;
      if (lines > 40) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    expect(existsSync(join(home, 'sandbox', 'data', '.seeded'))).toBe(false);

    const next = await runGwctl(['sandbox', 'start', '--detach', '--json'], { env: { GWCTL_HOME: home } });
    try {
      expect(next.code, next.stderr).toBe(0);
      const env = sandboxEnvironment(join(home, 'sandbox'));
      const buckets = await openBucketAdmin(env);
      expect((await buckets.inventory('relaycorp-gateway-sandbox-vault')).objects).toBe(300);
    } finally {
      await stop(home);
    }
  });
});

describe('two starts at once in one directory', () => {
  it('give one sandbox, seeded once and whole; the other start says so or is refused', async () => {
    const home = tempDir();
    const [a, b] = await Promise.all(
      [0, 1].map(() => runGwctl(['sandbox', 'start', '--detach', '--json'], { env: { GWCTL_HOME: home } })),
    );
    try {
      const outcomes = [a!, b!].map((r) =>
        r.code === 0 ? resultOf(r).status : r.stderr.match(/another sandbox process/)?.[0],
      );
      expect(outcomes).toContain('started');
      expect(outcomes.filter((o) => o !== 'started')).toEqual([
        expect.stringMatching(/already-running|another sandbox process/),
      ]);
      const buckets = await openBucketAdmin(sandboxEnvironment(join(home, 'sandbox')));
      expect((await buckets.inventory('relaycorp-gateway-sandbox-vault')).objects).toBe(300);
    } finally {
      await stop(home);
    }
  });
});

describe('gwctl sandbox start refuses nonsense before starting anything', () => {
  for (const [args, message] of [
    [['--lifecycle-sweep', '0s'], /--lifecycle-sweep 0s: must be between 1s and 24h/],
    [['--lifecycle-sweep', '30d'], /--lifecycle-sweep 30d: must be between 1s and 24h/],
    [['--lifecycle-sweep', 'soon'], /--lifecycle-sweep soon: expected a duration such as 5s/],
    [['--lb-teardown', '2h'], /--lb-teardown 2h: must be between 0s and 1h/],
    [['--faults', 'gcs='], /--faults: gcs= must be gcs=<probability between 0 and 1>/],
    [['--faults', 'gcs=2'], /--faults: gcs=2 must be/],
    [['--faults', 'gcs=0x1'], /--faults: gcs=0x1 must be/],
    [['--faults', 'gcs=0.1,gcs=0.2'], /--faults: gcs is given twice/],
    [['--faults', 'poweb=0.1'], /--faults: "poweb" takes no injected faults/],
    [['--faults', 's3=0.1'], /--faults: "s3" is not a service/],
    [['--faults', ','], /--faults: expected service=probability pairs/],
  ] as const)
    it(`${args.join(' ')}: exit 2, one line`, async () => {
      const home = tempDir();
      const r = await runGwctl(['sandbox', 'start', ...args], { env: { GWCTL_HOME: home } });
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(existsSync(join(home, 'sandbox'))).toBe(false);
    });
});
