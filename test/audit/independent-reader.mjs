// An independent reader of a gwctl audit log, written from the specs alone (no gwctl code): C2SP signed-note,
// tlog-checkpoint and tlog-tiles, and RFC 6962 §2.1 Merkle tree hashes. It needs only the log's verifier key
// and read access to the bucket (here: the GCS JSON API of the emulator, `alt=media` downloads).
//
//   node independent-reader.mjs <JSON API root, e.g. http://127.0.0.1:PORT> <bucket> <prefix/> <verifier key>
//
// Prints {"ok":true,"size":N,"root":"…"} and exits 0, or {"ok":false,"error":"…"} and exits 1.
import { createHash, createPublicKey, verify } from 'node:crypto';

const [api, bucket, prefix, vkey] = process.argv.slice(2);
const sha256 = (...parts) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
const fail = (error) => {
  process.stdout.write(`${JSON.stringify({ ok: false, error })}\n`);
  process.exit(1);
};

async function get(name) {
  const url = `${api}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(prefix + name)}?alt=media`;
  const res = await fetch(url);
  if (!res.ok) fail(`GET ${name}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

// signed-note verifier key: <name>+<hex key ID>+<base64(type ‖ public key)>, key ID = SHA-256(name ‖ "\n" ‖ type ‖ key)[:4].
const first = vkey.indexOf('+');
const second = vkey.indexOf('+', first + 1);
const [name, hexId, key64] = [vkey.slice(0, first), vkey.slice(first + 1, second), vkey.slice(second + 1)];
const keyBytes = Buffer.from(key64, 'base64');
if (keyBytes[0] !== 0x01 || keyBytes.length !== 33) fail('not an Ed25519 (type 0x01) verifier key');
const keyId = sha256(Buffer.from(name), Buffer.from('\n'), keyBytes).subarray(0, 4);
if (keyId.toString('hex') !== hexId.toLowerCase()) fail('key ID does not match the key');
// RFC 8410 SubjectPublicKeyInfo for Ed25519: a fixed 12-byte prefix before the 32-byte key.
const publicKey = createPublicKey({
  key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), keyBytes.subarray(1)]),
  format: 'der',
  type: 'spki',
});

// signed-note: text, a blank line, then "— <name> <base64(key ID ‖ signature)>" lines.
const note = (await get('checkpoint')).toString('utf8');
const split = note.lastIndexOf('\n\n');
if (split < 0) fail('checkpoint is not a signed note');
const text = note.slice(0, split + 1);
const signed = note
  .slice(split + 2)
  .split('\n')
  .filter(Boolean)
  .some((line) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== name) return false;
    const sig = Buffer.from(m[2], 'base64');
    return sig.subarray(0, 4).equals(keyId) && verify(null, Buffer.from(text), publicKey, sig.subarray(4));
  });
if (!signed) fail('no valid signature by the given key on the checkpoint');

// tlog-checkpoint: origin, tree size, base64 root hash (then optional extension lines).
const [origin, sizeLine, rootLine] = text.split('\n');
if (origin !== name) fail(`checkpoint origin ${origin} is not the key's name ${name}`);
const size = Number(sizeLine);
const root = Buffer.from(rootLine, 'base64');

// tlog-tiles: <N> as 3-digit groups, all but the last prefixed with x; partial tiles end in .p/<W>.
const tileIndex = (n) => {
  let s = String(n % 1000).padStart(3, '0');
  for (n = Math.floor(n / 1000); n > 0; n = Math.floor(n / 1000)) s = `x${String(n % 1000).padStart(3, '0')}/${s}`;
  return s;
};
const tileName = (level, n, width) => `tile/${level}/${tileIndex(n)}${width === 256 ? '' : `.p/${width}`}`;

// Entry bundles: each entry a big-endian uint16 length, then its bytes. RFC 6962 leaf hash: SHA-256(0x00 ‖ entry).
const leaves = [];
for (let n = 0; n * 256 < size; n++) {
  const width = Math.min(256, size - n * 256);
  const bundle = await get(tileName('entries', n, width));
  let at = 0;
  for (let i = 0; i < width; i++) {
    if (at + 2 > bundle.length) fail(`entry bundle ${n} is short`);
    const len = bundle.readUInt16BE(at);
    leaves.push(sha256(Buffer.from([0]), bundle.subarray(at + 2, at + 2 + len)));
    at += 2 + len;
  }
  if (at !== bundle.length) fail(`entry bundle ${n} has trailing bytes`);
}

// RFC 6962 MTH: split at the largest power of two smaller than n; node = SHA-256(0x01 ‖ left ‖ right).
const mth = (hashes) => {
  if (hashes.length === 0) return sha256();
  if (hashes.length === 1) return hashes[0];
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return sha256(Buffer.from([1]), mth(hashes.slice(0, k)), mth(hashes.slice(k)));
};
if (!mth(leaves).equals(root)) fail('the entries do not hash to the checkpoint root');

// Hash tiles: level L holds the hashes of the subtrees of 256^L leaves; each tile 256 of them (fewer at the edge).
let row = leaves;
for (let level = 0; row.length > 0; level++) {
  const next = [];
  for (let n = 0; n * 256 < row.length; n++) {
    const hashes = row.slice(n * 256, n * 256 + 256);
    const tile = await get(tileName(level, n, hashes.length));
    if (!tile.equals(Buffer.concat(hashes))) fail(`${tileName(level, n, hashes.length)} does not match the entries`);
    if (hashes.length === 256) next.push(mth(hashes));
  }
  row = next;
}
process.stdout.write(`${JSON.stringify({ ok: true, size, root: rootLine })}\n`);
