import type { InjectedFault } from './request-log.js';

/** Probability, per request, of each injected failure. */
export interface FaultRates {
  p429?: number;
  p503?: number;
  pReset?: number;
}

/** `0.1` means a 10 % chance of some fault, split evenly between 429, 503 and a dropped connection. */
export function ratesFromProbability(p: number): FaultRates {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`fault probability must be between 0 and 1, got ${p}`);
  return { p429: p / 3, p503: p / 3, pReset: p / 3 };
}

/**
 * Decides, request by request, whether an emulator should fail on purpose. Rates can change at run time; a
 * scripted fault (`failNext`) makes a test's fault certain where a rate would only make it likely.
 */
export class FaultInjector {
  private readonly scripted: { fault: InjectedFault; method?: string }[] = [];

  constructor(
    public rates: FaultRates = {},
    private readonly random: () => number = Math.random,
  ) {}

  set(rates: FaultRates): void {
    this.rates = rates;
  }

  /** Fails the next request (of `method`, when given: e.g. MongoDB's `find`) with `fault`, whatever the rates. */
  failNext(fault: InjectedFault, method?: string): void {
    this.scripted.push({ fault, ...(method ? { method } : {}) });
  }

  decide(method?: string): InjectedFault | undefined {
    const i = this.scripted.findIndex((s) => s.method === undefined || s.method === method);
    if (i >= 0) return this.scripted.splice(i, 1)[0]!.fault;
    const { p429 = 0, p503 = 0, pReset = 0 } = this.rates;
    if (p429 + p503 + pReset === 0) return undefined;
    const r = this.random();
    if (r < p429) return '429';
    if (r < p429 + p503) return '503';
    if (r < p429 + p503 + pReset) return 'reset';
    return undefined;
  }
}
