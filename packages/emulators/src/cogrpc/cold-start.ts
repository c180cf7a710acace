import { setTimeout as sleep } from 'node:timers/promises';

export interface ColdStartConfig {
  /** How long the first call after scale-to-zero waits for an instance to start. */
  coldStartMs: number;
  /** Idle time after which the service scales to zero again. */
  idleMs: number;
}

/**
 * Scale-to-zero as seen by callers: the first call after `idleMs` of silence (or ever) waits `coldStartMs`
 * for an instance; calls arriving meanwhile wait for the same instance, as they would behind a real autoscaler.
 */
export class ColdStartModel {
  private lastCallAt: number | undefined;
  private starting: Promise<void> | undefined;

  constructor(
    public config: ColdStartConfig,
    private readonly now: () => number = Date.now,
  ) {}

  configure(patch: Partial<ColdStartConfig>): ColdStartConfig {
    this.config = { ...this.config, ...patch };
    return this.config;
  }

  /** Forget the warm instance, as if the idle time had elapsed. */
  scaleToZero(): void {
    this.lastCallAt = undefined;
  }

  /** Resolves when an instance is ready to answer this call. */
  async admit(): Promise<void> {
    const now = this.now();
    const cold = this.lastCallAt === undefined || now - this.lastCallAt >= this.config.idleMs;
    if (cold && !this.starting && this.config.coldStartMs > 0) {
      this.starting = sleep(this.config.coldStartMs).finally(() => (this.starting = undefined));
    }
    if (this.starting) await this.starting;
    this.lastCallAt = this.now();
  }
}
