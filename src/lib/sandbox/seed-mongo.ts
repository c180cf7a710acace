import { createHash } from 'node:crypto';
import { SEED } from './seed-data.js';

// Canonical Extended JSON (the MongoDB spec the emulator's `seed` reads), so gwctl itself needs no bson.
const oid = (seed: string) => ({ $oid: createHash('sha1').update(seed).digest('hex').slice(0, 24) });
const bytes = (seed: string, n: number) => ({
  $binary: {
    base64: Buffer.concat(
      Array.from({ length: Math.ceil(n / 32) }, (_, i) => createHash('sha256').update(`${seed}/${i}`).digest()),
    )
      .subarray(0, n)
      .toString('base64'),
    subType: '00',
  },
});
const date = (ms: number) => ({ $date: new Date(ms).toISOString() });

/** The gateway's MongoDB, as the Mongoose models of relaynet-internet-gateway shape it. */
export function seedMongoCollections(): Record<string, object[]> {
  const created = Date.parse('2026-01-15T10:00:00Z');
  return {
    configitems: [
      { _id: oid('cfg-1'), key: 'current_id', value: SEED.privateAddress },
      { _id: oid('cfg-2'), key: 'public_address', value: 'sandbox.gateway.local' },
    ],
    identitypublickeydatas: [
      {
        _id: oid('idk-1'),
        peerId: SEED.privateAddress,
        derSerialization: bytes('idk', 294),
        creationDate: date(created),
      },
    ],
    certificationpaths: Array.from({ length: 3 }, (_, i) => ({
      _id: oid(`cp-${i}`),
      subjectId: SEED.privateAddress,
      issuerId: SEED.privateAddress,
      pathSerialized: bytes(`cp-${i}`, 1100 + i * 37),
      expiryDate: date(created + (180 + i * 30) * 86_400_000),
    })),
    peerpublickeydatas: Array.from({ length: 4 }, (_, i) => ({
      _id: oid(`pk-${i}`),
      peerId: createHash('sha256').update(`peer-${i}`).digest('hex'),
      peerPrivateAddress: `0${createHash('sha256').update(`peer-${i}`).digest('hex')}`,
      id: bytes(`pk-id-${i}`, 8),
      derSerialization: bytes(`pk-${i}`, 91),
      creationDate: date(created + i * 3_600_000),
    })),
  };
}
