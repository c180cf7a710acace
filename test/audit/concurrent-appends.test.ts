import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FileAuditSink } from '../../src/lib/audit/file-sink.js';
import { verifyAuditLines } from '../../src/lib/audit/verify.js';
import { auditRecords } from '../helpers/audit.js';
import { tempDir } from '../helpers/cli.js';

const WORKER = resolve(import.meta.dirname, 'append-worker.mjs');
const WRITERS = 8;
const APPENDS = 150;

describe('concurrent appends from many gwctl processes', () => {
  it(`${WRITERS} processes × ${APPENDS} appends: none lost, one intact chain`, async () => {
    const file = join(tempDir('gwctl-race-'), 'audit.jsonl');
    await Promise.all(
      Array.from({ length: WRITERS }, (_, w) =>
        promisify(execFile)(process.execPath, [WORKER, file, String(w), String(APPENDS)], { timeout: 240_000 }),
      ),
    );
    const records = auditRecords(file);
    expect(records).toHaveLength(WRITERS * APPENDS);
    expect(new Set(records.map((r) => r.planDigest)).size).toBe(WRITERS * APPENDS);
    expect(verifyAuditLines(await new FileAuditSink(file).read())).toMatchObject({
      ok: true,
      records: WRITERS * APPENDS,
    });
  }, 300_000);
});
