import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileAuditSink } from '../../../src/lib/audit/file-sink.js';
import { SANDBOX_AUDIT_BUCKET } from '../../../src/lib/sandbox/environment.js';
import { resultOf, runGwctl, tempDir } from '../../helpers/cli.js';
import { startGatewayFixture, type GatewayFixture } from '../../helpers/gateway-fixture.js';

const READER = resolve(import.meta.dirname, '../independent-reader.mjs');
const gwctl = (fx: GatewayFixture, ...args: string[]) => runGwctl(args, { cwd: tempDir(), env: fx.cliEnv });
const json = (r: { stdout: string }) => resultOf(r);

/** The reader written from the C2SP specs alone, as an auditor would run it. */
async function independentReader(f: GatewayFixture, key: string) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [
      READER,
      f.gcs.url,
      SANDBOX_AUDIT_BUCKET,
      'log/',
      key,
    ]);
    return JSON.parse(stdout);
  } catch (err) {
    return { ...JSON.parse((err as { stdout: string }).stdout), exit: (err as { code: number }).code };
  }
}

describe("the sandbox's shared audit log, end to end", () => {
  let f: GatewayFixture;
  let key: string;
  beforeAll(async () => {
    f = await startGatewayFixture({ sandbox: true });
    for (const days of ['3', '4'])
      expect((await gwctl(f, 'bucket', 'ttl', 'set', '--env', 'sandbox', '-d', days, '--yes')).code).toBe(0);
    const k = await gwctl(f, 'audit', 'key', '--env', 'sandbox');
    expect(k.code, k.stderr).toBe(0);
    key = k.stdout.trim();
  }, 120_000);
  afterAll(() => f?.close());

  it('prints the verifier key in the signed-note format', () => {
    expect(key).toMatch(
      /^storage\.googleapis\.com\/relaycorp-gateway-sandbox-audit\/log\+[0-9a-f]{8}\+A[A-Za-z0-9+/]{43}$/,
    );
  });

  it('an independent reader written from the C2SP specs verifies the log with only the key and the bucket', async () => {
    expect(await independentReader(f, key)).toMatchObject({ ok: true, size: 4 });
  });

  it('audit show reads intents and outcomes from the shared log, filtered by command and actor', async () => {
    const all = json(await gwctl(f, 'audit', 'show', '--env', 'sandbox', '--json'));
    expect(all.records.map((r: { kind: string }) => r.kind)).toEqual(['intent', 'outcome', 'intent', 'outcome']);
    expect(all.log).toBe(`gs://${SANDBOX_AUDIT_BUCKET}/log/`);
    const none = json(await gwctl(f, 'audit', 'show', '--env', 'sandbox', '--command', 'backup', '--json'));
    expect(none.records).toEqual([]);
    const mine = json(await gwctl(f, 'audit', 'show', '--env', 'sandbox', '--actor', 'os:', '--since', '1h', '--json'));
    expect(mine.records).toHaveLength(4);
  });

  it('audit verify checks every entry and remembers the checkpoint; a third party verifies with --key', async () => {
    const r = await gwctl(f, 'audit', 'verify', '--env', 'sandbox', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({ ok: true, size: 4, problems: [] });
    const other = await gwctl(f, 'audit', 'verify', '--env', 'sandbox', '--key', key, '--json');
    expect(other.code, other.stderr).toBe(0);
  });

  it('a local hash-chained log is imported in order, with its head recorded, once', async () => {
    const file = join(tempDir('gwctl-import-'), 'audit.jsonl');
    const local = new FileAuditSink(file);
    for (const i of [1, 2, 3])
      await local.append(() => [
        {
          operator: 'os:old@laptop',
          command: 'bucket ttl set',
          env: 'sandbox',
          planDigest: `sha256:${i}`,
          summary: `old ${i}`,
          result: 'applied',
        },
      ]);
    const r = await gwctl(f, 'audit', 'import', '--env', 'sandbox', '--from', file, '--yes', '--json');
    expect(r.code, r.stderr).toBe(0);
    const shown = json(await gwctl(f, 'audit', 'show', '--env', 'sandbox', '--command', 'audit import', '--json'));
    expect(shown.records.map((x: { kind: string }) => x.kind)).toEqual(['intent', 'import', 'outcome']);
    const marker = shown.records[1];
    expect(marker).toMatchObject({ records: 3, head: json(r).head });
    const old = json(await gwctl(f, 'audit', 'show', '--env', 'sandbox', '--actor', 'old@laptop', '--json'));
    expect(old.records.map((x: { summary: string }) => x.summary)).toEqual(['old 1', 'old 2', 'old 3']);
    const again = await gwctl(f, 'audit', 'import', '--env', 'sandbox', '--from', file, '--yes');
    expect(again.stdout).toMatch(/already in/);
    expect(await independentReader(f, key)).toMatchObject({ ok: true, size: 4 + 3 + 3 });
  });

  it('a witness run by another party cosigns the checkpoint, and audit verify lists it', async () => {
    const witnessKey = join(tempDir('gwctl-witness-'), 'witness.key');
    const log = `gs://${SANDBOX_AUDIT_BUCKET}/log/`;
    const args = ['audit', 'witness', '--env', 'sandbox', '--log', log, '--key', key, '--witness-key', witnessKey];
    const first = await gwctl(f, ...args, '--name', 'witness.example.org', '--json');
    expect(first.code, first.stderr).toBe(0);
    expect(json(first)).toMatchObject({ status: 'cosigned', witness: 'witness.example.org' });
    expect(json(first).witnessKey).toMatch(/^witness\.example\.org\+[0-9a-f]{8}\+B/); // type 0x04: cosignature/v1
    const verified = json(await gwctl(f, 'audit', 'verify', '--env', 'sandbox', '--json'));
    expect(verified.cosigned).toEqual([expect.objectContaining({ witness: 'witness.example.org', latest: true })]);
    const bad = await gwctl(f, 'audit', 'witness', '--log', log, '--key', 'not+a+key', '--witness-key', witnessKey);
    expect(bad.code).toBe(2);
  });

  it('a dry run, and a plan the operator does not confirm, touch no audit log', async () => {
    f.gcs.log.clear();
    expect((await gwctl(f, 'bucket', 'ttl', 'set', '--env', 'sandbox', '-d', '9', '--dry-run')).code).toBe(0);
    expect((await gwctl(f, 'bucket', 'ttl', 'set', '--env', 'sandbox', '-d', '9')).code).toBe(2); // no --yes, no TTY
    expect(f.gcs.log.list().filter((r) => r.path.includes(SANDBOX_AUDIT_BUCKET))).toEqual([]);
  });

  it('a byte flipped in an entry bundle fails audit verify with the entry index, and the independent reader', async () => {
    const file = f.storage.bucket(SANDBOX_AUDIT_BUCKET).file('log/tile/entries/000.p/10');
    const [data] = await file.download();
    data[30] ^= 0x20;
    await file.save(data, { resumable: false });
    const r = await gwctl(f, 'audit', 'verify', '--env', 'sandbox');
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/✗ index 0: entry 0 .* does not match its hash in the tiles/);
    expect(r.stderr).toMatch(/first bad index 0/);
    expect(await independentReader(f, key)).toMatchObject({ ok: false, exit: 1 });
    // Nothing more is recorded on a log that does not verify.
    const change = await gwctl(f, 'bucket', 'ttl', 'set', '--env', 'sandbox', '-d', '5', '--yes');
    expect(change.code).toBe(1);
    expect(change.stderr).toMatch(/nothing was changed/);
  });
});
