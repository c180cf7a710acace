import { createHash } from 'node:crypto';
import { signCheckpoint } from '../../src/lib/tlog/checkpoint.js';
import { appendToBundles } from '../../src/lib/tlog/entry-bundle.js';
import { leafHash, rootFromLeafHashes } from '../../src/lib/tlog/merkle.js';
import { noteSignerFromKey } from '../../src/lib/tlog/note.js';
import { appendToTiles, type TileReader } from '../../src/lib/tlog/tiles.js';

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (s: string): Buffer => Buffer.from(s, 'hex');
export const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
export const sha256hex = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/** A seeded PRNG (mulberry32), so a failing property run can be replayed. */
export function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n: number) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Leaf hashes of entries "leaf 0", "leaf 1", … */
export function leaves(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));
}

/** A tile reader over a map of path → bytes that records what it was asked for. */
export function mapReader(files: Map<string, Uint8Array>): TileReader & { reads: string[] } {
  const reads: string[] = [];
  const read = async (path: string) => {
    reads.push(path);
    const data = files.get(path);
    if (!data) throw new Error(`no such tile ${path}`);
    return data;
  };
  return Object.assign(read, { reads });
}

// The tessera test log: github.com/transparency-dev/tessera @ 1811ae1a7c401c971d9cff2a5cfdfba07a26161e testdata/log,
// built by testdata/build_log.sh, which appends the entries below one at a time with cmd/examples/posix-oneshot and
// keeps the checkpoint after each append (checkpoint.0 is the empty log). We keep no copy of its files, only their
// SHA-256 digests (TESSERA_SHA256): the tests rebuild the log with our code and check our bytes against them.
export const TESSERA_ORIGIN = 'example.com/log/testdata';
// testdata/build_log.sh LOG_PRIVATE_KEY and LOG_PUBLIC_KEY.
export const TESSERA_SKEY =
  'PRIVATE+KEY+example.com/log/testdata+33d7b496+AeymY/SZAX0jZcJ8enZ5FY1Dz+wTML2yWSkK+9DSF3eg';
export const TESSERA_VKEY = 'example.com/log/testdata+33d7b496+AeHTu4Q3hEIMHNqc6fASMsq3rKNx280NI+oO5xCFkkSx';
export const TESSERA_ENTRIES = [
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eit',
  'nain',
  'ten',
  'ileven',
  'twelf',
  'threeten',
  'fourten',
  'fivten',
];

/**
 * SHA-256 (hex) of each file of tessera's testdata/log after N appends, computed from the files at the commit above.
 * Left out: testdata/log/checkpoint (a copy of checkpoint.15) and .state/. "-" where there is no such file.
 */
const TESSERA_DIGEST_TABLE = `
N  checkpoint.N                                                     tile/0/000.p/N                                                   tile/entries/000.p/N
0  2a88b2fa27d24b7e57d5dcf73ddcad2075198f97879b45eab3aa8520b89944a9 - -
1  50026db3bdb6b509d7ce2915bc05f3908857acd48621f0a7cac3f65eb117ed9b ccfdec58d220e811be8903398a8867fde33e93bba97faecad3315bd7c753bd2f 217eb5c174b50240976ae2b9b7a2a213c8ebe7f525fde0f0ea7561adcb4794e1
2  4f2622ccd83c224e6d6d5ee2f99319e4224d7f5de3078bf10fdea9c77864833d 59e16c84b7f06104607760ad7916b9535d578914c7f29ae5f51ad990e6a66113 8d26204429edb13ff9b074af489a8e984bdccb3e0ea2ee1d531d5f19195b7d24
3  88996b7cfd57cebe7c9c34ce35b7d5bd6b7af0d76f7febe687216ab15644d32c 6168c234ffb69c4c34476551c18dfc6041752648b15012695bff139659d59c8a 17872b3223966b3b743f99f79fab73e8d54556aa39adeb6918a5b84da91b9735
4  09eeacdca308e7c415e4e9ac26521938d44eaf03b4a8bc4486679cea852b390f 9959e95e8017bc56a4dbaa0afda926b25a7b54c0ca055cff26f1093ab55f2da1 0f19d664a8c5a97ae47831b162c04ed6a68de060759cc19cb82085d9bdc58c7c
5  5dccd69f5e3c761bad6225dbde1603bd21bddbb23f4447eba3ec82c8d9002f8a cde9addac215d77831b3c28a05c63ee8679350a51760d2a63885af0d178716eb 22c2e51f0b2aa8e6a9d3770d59942127a28da1376cfab9bec868c4ada07e83b7
6  3da77775077943d2a9bf17712c1df62587f9ad502a5bcd15b5c6abca164d1e20 1ef4dd027e37c71ac19b68502238c107b0370b6742119c278fddd0a4b75ed350 51c4a9b199a7272c00d56d4f9e7346ca0ab68549ccd076484c7340a61dadb351
7  6787611cbc401f8bfa4075723028d238290a7bf83a604f55827b34e0c067e7c3 7294908b09b009d5a476bcd8c2086466c4794ceacbc40f556b32280e1a012db4 545bd03b5a0b5be95070fa06c2acd61bbb80c80702ca68e130fe06dfa289287b
8  abdebb1c8e1c562d5902f106e741e80e430af4bb7fdaf120d9fe4a3419d6adb8 92b3acf68d583ef1bfb61cf39bf9e89ff3cbe3e19f39fc698f50c91ab6360e59 a4413f345504eb3637bcab7f9f188baaf7efe71fcd9d05cbf1cb9f850bd23aeb
9  23e1b039edd148ac31cb53b7fbc5bf8678bf9d85010d4f74173743773958b6c1 0acd41c3ef3e5db1efbcf9952282808aeedd41d12bd410d9e24395a0750e66c0 eda107446820475a7382b1f3c34e0cb6833cbb976b183dd11de46ba607b9bff8
10 b7d1118f304887d9c5eee7d9faac64da15a7564f0d14e0d67126c131b5a63f13 6dcd13cc0a93d63bf0867206365aaf370de67c8f5488b149bc5e9f3925d86b54 81330784e6e1b74137a76d17f894317e622a918a8a91c6c7005f228ae431f488
11 335f7c9273127918020204e371682f900da703faa305059e3a6ab2b8e5294ea1 a17105d6da8c53a8051d85b9fbe52dc887478ec71aa61aa6601720b3e385d32f e4391087ee6b8f34bb4bdb292a590cbeb410f3ea03e60bb6d04fbd10448b322d
12 d5c41a56c1a42885ed25fc4b27bdeed95e187ceb5c85a3e552dcdc85ad4c5f85 9b8621625e84f41ca91f60c2c9068eefa2f7df8a4732a3da17c81c7ead22c7b7 cbb703dd472823ec9c870229060474365f5f92f7ea1a4587541a72def784e5a3
13 2d21becfbf9cb3edba3bc6112cbcdab551667aef4d18466def881988a89f8e5f e0e226249b7c08f78b9f20f1ec08dc2f625867632c4240e843b091480aa3820b 0a0c8b26118fd8cc64c942ce11580a967c49bb494b931db9d8040736f4b8596a
14 b5fc2f2e9f6f3a72ab491042cbecd06b4e0a831933ebae386e3f42f37b764d99 014a1bdd661336c4d00606431741c06d18fd02e9f5de72e020e794d9c84dfda5 bb309a3d4f081ad2cafac932239a831a22eb8c839497f1d2ec383ef69da23927
15 aebf6c3251e27b6a4e265cbbcb3036887ba860071e1df9669cd36179ac82eaed 93593af14d2cce39867d2e73fe4ca400a38581605c5c4501a03e752d9b51a130 9ac6a9fc9012f2b4d67ac26041933c119e1505defc5c808ed614c5778c9f1716
`;

/** Tessera testdata/log path (checkpoint.3, tile/0/000.p/3, tile/entries/000.p/3, …) → SHA-256 hex of its bytes. */
export const TESSERA_SHA256: ReadonlyMap<string, string> = (() => {
  const [header, ...rows] = TESSERA_DIGEST_TABLE.trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/));
  const digests = new Map<string, string>();
  for (const [n, ...row] of rows) {
    row.forEach((digest, i) => {
      if (digest !== '-') digests.set(header![i + 1]!.replace(/N$/, n!), digest);
    });
  }
  return digests;
})();

/**
 * Our rebuild of tessera's testdata/log, the way build_log.sh builds it: one entry per append, every tile, bundle
 * and checkpoint kept at its tessera path. Ours, not tessera's: tests compare it with TESSERA_SHA256 before trusting it.
 */
export async function buildTesseraLog(): Promise<Map<string, Uint8Array>> {
  const signer = noteSignerFromKey(TESSERA_SKEY);
  const files = new Map<string, Uint8Array>();
  const hashes: Uint8Array[] = [];
  const checkpoint = async () => {
    const note = await signCheckpoint(
      { origin: TESSERA_ORIGIN, size: hashes.length, rootHash: rootFromLeafHashes(hashes) },
      [signer],
    );
    files.set(`checkpoint.${hashes.length}`, Buffer.from(note));
  };
  await checkpoint();
  for (const entry of TESSERA_ENTRIES) {
    const data = Buffer.from(entry);
    const size = hashes.length;
    for (const [path, tile] of await appendToTiles(size, [leafHash(data)], mapReader(files))) files.set(path, tile);
    for (const [path, bundle] of await appendToBundles(size, [data], mapReader(files))) files.set(path, bundle);
    hashes.push(leafHash(data));
    await checkpoint();
  }
  return files;
}

// A real checkpoint of arche2025h1.staging.ct.transparency.dev with witness cosignatures, and the log's Ed25519 key,
// from github.com/florolf/tlog-scales tests/test_signing.py TestCheckpointVerification.
export const ARCHE_CHECKPOINT = `arche2025h1.staging.ct.transparency.dev
1432088532
U7WM79jrzyhGZ5/GUBTpM7NzwdyfFx61t3RovgcC4Ro=

— arche2025h1.staging.ct.transparency.dev zTM8sQAAAZ5W0WdjBAMARjBEAiBjW5IQf9pvsYLfQFX6hoGREPMHbdQ3urbllzalApkptQIgIpwtEroeW2BXaHAI4kJXFbon5Ch9MNL5zRNZ55lvGt0=
— arche2025h1.staging.ct.transparency.dev ui8GwCF1+kWqZrxGdhj4aX3gcw7XUlXQQabg/27lefwhUkzbC3NygNI75MdhL1bfTW9g8Ei59RA23oHP7Ry1k3ZFWwQ=
— transparency.dev/DEV:witness-little-garden 2AQqhwAAAABqEiEgzgFIqqhbUoDwjMWE6UP8nd8/KYTzwZ2rhIgcqoXHAwVkjZr4AscylP3v7sEodkRAErumC2q44vdgJY096st5BQ==
— witness1.smartit.nu/witness1 pIyCDwAAAABqEiEghIp82KWebrw7/oHQwlTAm3g2RKS4+eebl8eO0WH+/iEcxZ75W3u5hNI7TOQtmJbqmNWVuE0tgh0XwzdZsDsUAQ==
— remora.n621.de 2net5wAAAABqEiEgPlfF3V06o0Y+fHM+J5J9s27wgxxcOVSpZ/2g/KSiXCg9DEZI+aVCIobWX9sXTynk5XeU/zZ0WBxtqB0DrAWfBw==
— witness.stagemole.eu Z/euoAAAAABqEiEgw0i+7g2ENfDAWHmtRzCfKTHSDwYDJA2NmKeGi9Y8FtEyOUvVr+AJmIY/2TUFucgKi7lI7cUiOvKFYe/TmN9DAg==
`;
export const ARCHE_VKEY =
  'arche2025h1.staging.ct.transparency.dev+ba2f06c0+AU0vHmlGCS/PdN8b2OaGmKprLI8HKM+dJ472xgFYh15f';
