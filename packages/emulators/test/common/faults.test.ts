import { describe, expect, it } from 'vitest';
import { FaultInjector } from '../../src/common/faults.js';

describe('FaultInjector', () => {
  it('fails a scripted request once, of the named method only, then goes back to its rates', () => {
    const faults = new FaultInjector({}, () => 0.99);
    faults.failNext('reset', 'find');
    expect(faults.decide('insert')).toBeUndefined();
    expect(faults.decide('find')).toBe('reset');
    expect(faults.decide('find')).toBeUndefined();
    faults.failNext('503');
    expect(faults.decide('getMore')).toBe('503');
  });

  it('splits a probability evenly between 429, 503 and a dropped connection', () => {
    const at = (r: number) => new FaultInjector({ p429: 0.1, p503: 0.1, pReset: 0.1 }, () => r).decide();
    expect([at(0.05), at(0.15), at(0.25), at(0.35)]).toEqual(['429', '503', 'reset', undefined]);
  });
});
