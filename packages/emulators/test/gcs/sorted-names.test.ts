import { expect, it } from 'vitest';
import { compareNames, SortedNames } from '../../src/gcs/sorted-names.js';

/** Deterministic, so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
}

const nameFor = (n: number) =>
  `logical/${(n % 37).toString().padStart(2, '0')}/${n.toString(36)}${n % 5 === 0 ? '\u{1F4E6}' : n % 7 === 0 ? '\uFFFD' : ''}`;

/** Every query answered as a plain sorted array would answer it. */
function expectSameAs(set: SortedNames, reference: string[], pick: () => number): void {
  expect(set.size).toBe(reference.length);
  expect(set.toArray()).toEqual(reference);
  for (let i = 0; i < reference.length; i += 1 + Math.floor(pick() * 50)) expect(set.at(i)).toBe(reference[i]);
  for (let probe = 0; probe < 40; probe++) {
    const key = nameFor(Math.floor(pick() * 6000)).slice(0, 1 + Math.floor(pick() * 14));
    const lower = reference.findIndex((n) => compareNames(n, key) >= 0);
    const expectedLower = lower < 0 ? reference.length : lower;
    expect(set.lowerBound(key)).toBe(expectedLower);
    const end = reference.findIndex((n, i) => i >= expectedLower && !n.startsWith(key));
    expect(set.endOfPrefix(key, expectedLower)).toBe(end < 0 ? reference.length : end);
  }
}

it('keeps names in UTF-8 byte order through thousands of random inserts and deletes, across chunk splits', () => {
  const pick = random(42);
  const set = new SortedNames();
  const reference = new Set<string>();
  const sorted = () => [...reference].sort(compareNames);
  for (let round = 0; round < 6; round++) {
    for (let i = 0; i < 1500; i++) {
      const name = nameFor(Math.floor(pick() * 6000));
      set.add(name);
      reference.add(name);
    }
    expectSameAs(set, sorted(), pick);
    for (let i = 0; i < 700; i++) {
      const name = nameFor(Math.floor(pick() * 6000));
      set.delete(name);
      reference.delete(name);
    }
    expectSameAs(set, sorted(), pick);
  }
  for (const name of sorted()) set.delete(name);
  expect(set.size).toBe(0);
  expect(set.lowerBound('a')).toBe(0);
  expect(set.at(0)).toBeUndefined();
});

it('bulk loads, then accepts inserts before, between and after the loaded names', () => {
  const set = new SortedNames();
  const names = Array.from({ length: 3000 }, (_, i) => `n/${(i * 2).toString().padStart(5, '0')}`);
  set.reset([...names].reverse());
  expect(set.toArray()).toEqual(names);
  for (const extra of ['a', 'n/00001', 'n/02999', 'z']) set.add(extra);
  expect(set.toArray()).toEqual([...names, 'a', 'n/00001', 'n/02999', 'z'].sort(compareNames));
  expect(set.endOfPrefix('n/', set.lowerBound('n/'))).toBe(set.size - 1);
});
