import type { ListedObject, LogStore, PutOptions, StoredObject } from './log-store.js';

/** An in-memory LogStore with GCS's precondition semantics, for logic tests (the wire tests use the emulator). */
export class MemoryLogStore implements LogStore {
  readonly objects = new Map<
    string,
    StoredObject & { metadata: Record<string, string>; metageneration: string; updated: string }
  >();
  private generation = 1;

  constructor(readonly location = 'memory://log/') {}

  async get(name: string): Promise<StoredObject | undefined> {
    const o = this.objects.get(name);
    return o && { data: o.data, generation: o.generation };
  }

  async put(name: string, data: Uint8Array, opts: PutOptions = {}): Promise<string | undefined> {
    const current = this.objects.get(name);
    if (opts.ifGenerationMatch !== undefined && (current?.generation ?? '0') !== opts.ifGenerationMatch)
      return undefined;
    const generation = String(this.generation++);
    this.objects.set(name, {
      data: Uint8Array.from(data),
      generation,
      metadata: { ...opts.metadata },
      metageneration: '1',
      updated: new Date().toISOString(),
    });
    return generation;
  }

  async list(dir: string, startOffset = ''): Promise<ListedObject[]> {
    return [...this.objects.entries()]
      .filter(([name]) => name.startsWith(dir) && name >= startOffset)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, o]) => ({
        name,
        generation: o.generation,
        metageneration: o.metageneration,
        updated: o.updated,
        metadata: { ...o.metadata },
      }));
  }

  async delete(name: string): Promise<void> {
    this.objects.delete(name);
  }
}
