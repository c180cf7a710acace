import { existsSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, replacePrivateFile } from '../common/private-files.js';
import type { KubeObjectStore, StoreSnapshot } from './store.js';

/**
 * Keeps the store in a JSON file so a sandbox cluster survives restarts: flushed shortly after
 * changes (debounced) and on close, written to a temporary file then renamed so a crash never
 * leaves half a file.
 */
export class StatePersistence {
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly file: string,
    private readonly store: KubeObjectStore,
    private readonly debounceMs = 100,
  ) {}

  /** Loads the saved state, if any; false when starting fresh. */
  load(): boolean {
    if (!existsSync(this.file)) return false;
    const saved = JSON.parse(readFileSync(this.file, 'utf8')) as StoreSnapshot;
    if (typeof saved.resourceVersion !== 'number' || !Array.isArray(saved.objects))
      throw new Error(`${this.file} is not a kube emulator state file`);
    this.store.restore(saved);
    return true;
  }

  start(): void {
    this.unsubscribe = this.store.onChange(() => this.schedule());
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    // Holds Secrets: readable by its owner only.
    makePrivateDir(dirname(this.file));
    replacePrivateFile(this.file, JSON.stringify(this.store.snapshot()));
  }

  close(): void {
    this.unsubscribe?.();
    this.flush();
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.debounceMs);
    this.timer.unref();
  }
}
