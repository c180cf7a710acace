import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  emptyRoot,
  leafHash,
  nodeFromLeafHashes,
  nodeHash,
  rangeNodes,
  rootFromLeafHashes,
} from '../../src/lib/tlog/merkle.js';
import { consistencyProof, inclusionProof } from '../../src/lib/tlog/proofs.js';
import { hex, unhex } from './helpers.js';

describe('RFC 6962 hashing', () => {
  // github.com/transparency-dev/merkle rfc6962/rfc6962_test.go TestRFC6962Hasher
  it('matches the transparency-dev/merkle hasher vectors', () => {
    expect(hex(emptyRoot())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leafHash(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(hex(leafHash(Buffer.from('L123456')))).toBe(
      '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
    );
    expect(hex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  // golang.org/x/mod/sumdb/tlog tlog_test.go TestEmptyTree: TreeHash(0) = SHA-256("")
  it('gives the empty tree the hash of the empty string', () => {
    expect(hex(rootFromLeafHashes([]))).toBe(createHash('sha256').digest('hex'));
  });
});

describe('the 8-leaf reference tree', () => {
  // github.com/transparency-dev/merkle testonly/constants.go: LeafInputs, NodeHashes, RootHashes
  const inputs = [
    '',
    '00',
    '10',
    '2021',
    '3031',
    '40414243',
    '5051525354555657',
    '606162636465666768696a6b6c6d6e6f',
  ].map(unhex);
  const nodeHashes = [
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
      '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
    ],
    [
      'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
    ],
    [
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
    ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
  ];
  const roots = [
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];
  const hashes = inputs.map(leafHash);

  it('has the published node hashes', () => {
    nodeHashes.forEach((row, level) =>
      row.forEach((want, index) => expect(hex(nodeFromLeafHashes(hashes, { level, index }))).toBe(want)),
    );
  });

  it('has the published root for every size', () => {
    roots.forEach((want, size) => expect(hex(rootFromLeafHashes(hashes.slice(0, size)))).toBe(want));
  });
});

/**
 * draft-ietf-plants-merkle-tree-certs, appendix "Subtree Test Vectors", as reproduced by
 * github.com/transparency-dev/merkle testonly/vectors_test.go (TestSubtreeHashVectors,
 * TestSubtreeInclusionProofVectors, TestSubtreeConsistencyProofVectors): for the tree of leaves
 * d[i] = byte(i), i < 130, every valid subtree's hash / inclusion proof / consistency proof is written as a
 * text line into one running SHA-256, whose value the draft publishes. A subtree [0, n) is the tree of
 * size n, so these pin our roots, our inclusion proofs for every (index, size ≤ 130) and our consistency
 * proofs for every 0 < m ≤ n ≤ 130.
 */
describe('draft-ietf-plants-merkle-tree-certs subtree vectors', () => {
  const MAX = 130;
  const tree = Array.from({ length: MAX }, (_, i) => leafHash(Uint8Array.of(i)));
  const line = (prefix: string, proof: Uint8Array[]) => `${prefix}${proof.map((h) => ` ${hex(h)}`).join('')}\n`;

  // isSubtreeValid from that file: start is 0, or start == end, or start is a multiple of bit_ceil(end - start).
  const valid = (start: number, end: number) => {
    if (start === 0 || start === end) return true;
    let c = 1;
    while (c < end - start) c *= 2;
    return start % c === 0;
  };

  it('subtree hashes (TestSubtreeHashVectors)', () => {
    const h = createHash('sha256');
    for (let end = 0; end <= MAX; end++) {
      for (let start = 0; start <= end; start++)
        if (valid(start, end)) h.update(`[${start}, ${end}) ${hex(rootFromLeafHashes(tree.slice(start, end)))}\n`);
    }
    expect(h.digest('hex')).toBe('b82806ad4265bb151c1119c0f4db437bb4d1a1f887b3a7fba1cd4ebf552e3e81');
  });

  it('inclusion proofs (TestSubtreeInclusionProofVectors)', () => {
    // A valid subtree is shaped like the tree of its own leaves, so its proof is PATH within them.
    const h = createHash('sha256');
    for (let end = 0; end <= MAX; end++) {
      for (let start = 0; start <= end; start++) {
        if (!valid(start, end)) continue;
        for (let index = start; index < end; index++)
          h.update(line(`${index} [${start}, ${end})`, inclusionProof(tree.slice(start, end), index - start)));
      }
    }
    expect(h.digest('hex')).toBe('ac2a8f989e44d99e399db448050ff5f19757df53cfb716aa81015d3955d8163f');
  });

  it('consistency proofs (TestSubtreeConsistencyProofVectors)', () => {
    // Subtrees with start > 0 are not ours to prove; this walks the draft's recursion
    // (testonly/reference_test.go refSubtreeConsistencyProof) down to start = 0, where it is PROOF(end, D[size])
    // of RFC 9162 — the library's consistencyProof — with empty proofs for end 0 and end = size.
    const subtreeProof = (start: number, end: number, leafs: Uint8Array[]): Uint8Array[] => {
      if (start === end) return [];
      if (start === 0) return end === leafs.length ? [] : consistencyProof(leafs, end);
      let split = 1;
      while (split * 2 < leafs.length) split *= 2;
      if (end <= split)
        return [...subtreeProof(start, end, leafs.slice(0, split)), rootFromLeafHashes(leafs.slice(split))];
      return [
        ...subtreeProof(start - split, end - split, leafs.slice(split)),
        rootFromLeafHashes(leafs.slice(0, split)),
      ];
    };
    const h = createHash('sha256');
    for (let n = 0; n <= MAX; n++) {
      for (let end = 0; end <= n; end++) {
        for (let start = 0; start <= end; start++)
          if (valid(start, end)) h.update(line(`[${start}, ${end}) ${n}`, subtreeProof(start, end, tree.slice(0, n))));
      }
    }
    expect(h.digest('hex')).toBe('10fa99b37bf9bf9ffa26b412fbd98bd75363256d0b75d61bc4538b9c9c5a0a74');
  });
});

describe('rangeNodes', () => {
  // golang.org/x/mod/sumdb/tlog subTreeIndex splits [lo, hi) into maximal perfect subtrees, left to right.
  it('splits a tree into its perfect subtrees', () => {
    expect(rangeNodes(0, 0)).toEqual([]);
    expect(rangeNodes(0, 13)).toEqual([
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    expect(rangeNodes(8, 13)).toEqual([
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
  });
});
