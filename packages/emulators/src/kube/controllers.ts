/** A simulated cluster controller: looks at the store and writes what the real one would. */
export interface Controller {
  reconcile(): void;
  stop?(): void;
}

/**
 * Runs the controllers after every write until the cluster settles, synchronously, so a request's
 * consequences (garbage collection, namespace cleanup) are visible when its response arrives.
 * Writes made by controllers while they run just ask for another round.
 */
export class ControllerManager {
  private running = false;
  private dirty = false;
  private stopped = false;

  constructor(private readonly controllers: Controller[]) {}

  run(): void {
    if (this.stopped) return;
    if (this.running) {
      this.dirty = true;
      return;
    }
    this.running = true;
    try {
      // Bounded so a controller that keeps writing cannot hang the server.
      for (let round = 0; round < 100; round++) {
        this.dirty = false;
        for (const c of this.controllers) c.reconcile();
        if (!this.dirty) break;
      }
    } finally {
      this.running = false;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.controllers) c.stop?.();
  }
}
