import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGwctl, tempDir, resultOf } from '../helpers/cli.js';

describe('gwctl sandbox requests on a busy sandbox', () => {
  it('prints 150,000 recorded requests (and skips a line torn by a concurrent append)', async () => {
    const home = tempDir();
    mkdirSync(join(home, 'sandbox'), { recursive: true });
    const n = 150_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++)
      lines.push(
        JSON.stringify({
          service: i % 2 ? 'gcs' : 'kube',
          method: i % 3 ? 'GET' : 'POST',
          path: `/storage/v1/b/relaycorp-gateway-sandbox-vault/o/${'x'.repeat(i % 150)}`,
          status: 200,
          time: new Date(1_700_000_000_000 + i).toISOString(),
          durationMs: 1,
        }),
      );
    writeFileSync(join(home, 'sandbox', 'requests.jsonl'), `${lines.join('\n')}\n{"service":"gcs","meth`);

    const table = await runGwctl(['sandbox', 'requests'], { env: { GWCTL_HOME: home } });
    expect(table.code, table.stderr.slice(0, 500)).toBe(0);
    const rows = (table.stdout + table.stderr).trim().split('\n');
    expect(rows).toHaveLength(n + 1);
    expect(rows[0]).toMatch(/^TIME +SERVICE +METHOD +STATUS +PATH$/);

    const json = await runGwctl(['sandbox', 'requests', '--service', 'gcs', '--json'], { env: { GWCTL_HOME: home } });
    expect(json.code, json.stderr.slice(0, 500)).toBe(0);
    expect(resultOf(json).requests).toHaveLength(n / 2);
  });
});
