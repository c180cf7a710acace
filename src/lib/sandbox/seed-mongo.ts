import { createHash } from 'node:crypto';
import { Binary, ObjectId } from 'bson';
import { SEED } from './seed-data.js';

const oid = (seed: string) => new ObjectId(createHash('sha1').update(seed).digest('hex').slice(0, 24));
const bytes = (seed: string, n: number) => new Binary(Buffer.concat(Array.from({ length: Math.ceil(n / 32) }, (_, i) => createHash('sha256').update(`${seed}/${i}`).digest())).subarray(0, n));

/** The gateway's MongoDB, as the Mongoose models of relaynet-internet-gateway shape it. */
export function seedMongoCollections(): Record<string, object[]> {
  const created = new Date('2026-01-15T10:00:00Z');
  return {
    configitems: [
      { _id: oid('cfg-1'), key: 'current_id', value: SEED.privateAddress },
      { _id: oid('cfg-2'), key: 'public_address', value: 'sandbox.gateway.local' },
    ],
    identitypublickeydatas: [{ _id: oid('idk-1'), peerId: SEED.privateAddress, derSerialization: bytes('idk', 294), creationDate: created }],
    certificationpaths: Array.from({ length: 3 }, (_, i) => ({
      _id: oid(`cp-${i}`),
      subjectId: SEED.privateAddress,
      issuerId: SEED.privateAddress,
      pathSerialized: bytes(`cp-${i}`, 1100 + i * 37),
      expiryDate: new Date(created.getTime() + (180 + i * 30) * 86_400_000),
    })),
    peerpublickeydatas: Array.from({ length: 4 }, (_, i) => ({
      _id: oid(`pk-${i}`),
      peerId: createHash('sha256').update(`peer-${i}`).digest('hex'),
      peerPrivateAddress: `0${createHash('sha256').update(`peer-${i}`).digest('hex')}`,
      id: bytes(`pk-id-${i}`, 8),
      derSerialization: bytes(`pk-${i}`, 91),
      creationDate: new Date(created.getTime() + i * 3_600_000),
    })),
  };
}
