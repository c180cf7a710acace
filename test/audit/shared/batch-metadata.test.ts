import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INLINE_MAX_BYTES } from '../../../src/lib/audit/shared/batches.js';
import { SharedLog } from '../../../src/lib/audit/shared/shared-log.js';
import { verifySharedLog } from '../../../src/lib/audit/shared/verify-log.js';
import { generateKeyPair, noteSignerFromKey, noteVerifierFromKey } from '../../../src/lib/tlog/index.js';
import { ORIGIN, startAuditBucket } from './helpers.js';

const keys = generateKeyPair(ORIGIN);
const verifier = noteVerifierFromKey(keys.verifierKey);

describe('sequenced batches within GCS’s custom metadata limits', () => {
  let b: Awaited<ReturnType<typeof startAuditBucket>>;
  beforeAll(async () => {
    b = await startAuditBucket();
  });
  afterAll(() => b.close());

  it('a batch of any size up to an entry bundle is sequenced; only small ones ride in the metadata', async () => {
    // GCS refuses a custom metadata value over 4 KiB (ServiceConstants MAX_CUSTOM_METADATA_FIELD_VALUE_BYTES), as
    // the emulator does: a 5 KiB batch (inlined before, as 6.8 KiB of base64) must still be sequenced.
    const log = new SharedLog({
      store: b.store,
      origin: ORIGIN,
      verifier,
      signer: async () => noteSignerFromKey(keys.signerKey),
    });
    const entry = (n: number, i: number) =>
      Buffer.from(JSON.stringify({ command: 'backup restore', i, pad: 'p'.repeat(n) }));
    for (const size of [INLINE_MAX_BYTES - 100, INLINE_MAX_BYTES + 100, 5 * 1024, 6 * 1024, 60 * 1024]) {
      const s = await log.sequence((i) => [entry(size, i)]);
      await log.integrate(s.start + s.count, s.state);
    }
    const [files] = await b.storage.bucket(b.bucket).getFiles({ prefix: 'log/seq/' });
    const inlined = files.map((f) => f.metadata.metadata?.body !== undefined);
    expect(inlined).toEqual([true, false, false, false, false]);
    for (const f of files) expect(String(f.metadata.metadata?.body ?? '').length).toBeLessThanOrEqual(4096);
    const verdict = await verifySharedLog({ store: b.store, origin: ORIGIN, verifier });
    expect(verdict.problems).toEqual([]);
    expect(verdict.entries).toHaveLength(5);
  });
});
