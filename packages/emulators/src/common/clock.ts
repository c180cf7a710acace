/** An emulator's notion of "now": real time plus an offset tests can advance. */
export class EmulatorClock {
  private offsetMs = 0;

  now(): Date {
    return new Date(this.nowMs());
  }

  /** `now().getTime()`, without making a Date. */
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
