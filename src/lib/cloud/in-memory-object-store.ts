import { gcsHashes } from '../checksums/gcs-hashes.js';
import { GwctlError, RuntimeError } from '../errors/gwctl-error.js';
import { ATTRIBUTE_FIELDS, ObjectNotFoundError, PreconditionFailedError } from './object-store.js';
import type {
  CopyRequest,
  DeleteRequest,
  DirectoryPage,
  ObjectAttributes,
  ObjectInfo,
  ObjectListOptions,
  ObjectRef,
  ObjectStore,
  StreamedHashes,
  WriteOptions,
} from './object-store.js';
import { gsUrl } from '../config/gs-url.js';

interface Stored {
  info: ObjectInfo;
  data: Buffer;
}

/**
 * An ObjectStore in memory, as Velero's in_memory_object_store.go: for tests of the logic above the interface
 * (what a backup copies, what a prune keeps), which need no HTTP. It keeps the contract the GCS implementation
 * keeps (generations, `ifGenerationMatch`, name-ordered pages, hashes as GCS gives them); how GCS itself behaves
 * is tested against the emulator, never here.
 */
export class InMemoryObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, Map<string, Stored>>();
  private generation = 1_700_000_000_000_000;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async *list(bucket: string, opts: ObjectListOptions = {}): AsyncIterable<ObjectInfo[]> {
    const prefix = opts.prefix ?? '';
    const { startOffset, endOffset } = opts;
    const names = [...this.objects(bucket, `listing ${gsUrl(bucket, prefix)}`).keys()]
      .filter(
        (n) =>
          n.startsWith(prefix) &&
          (startOffset === undefined || byteOrder(n, startOffset) >= 0) &&
          (endOffset === undefined || byteOrder(n, endOffset) < 0),
      )
      .sort(byteOrder);
    const pageSize = opts.pageSize ?? 1000;
    // One page at least, empty when nothing matches, as the JSON API answers.
    for (let i = 0; ; i += pageSize) {
      // Objects deleted since the listing began are not listed, as GCS lists on from the last name seen.
      const page = names.slice(i, i + pageSize).flatMap((n) => this.stored({ bucket, name: n }) ?? []);
      yield page.map((o) => copyInfo(o.info));
      if (i + pageSize >= names.length) return;
    }
  }

  async listDirectory(bucket: string, opts: { prefix?: string; delimiter?: string }): Promise<DirectoryPage> {
    const prefix = opts.prefix ?? '';
    const delimiter = opts.delimiter ?? '/';
    const objects: ObjectInfo[] = [];
    const prefixes = new Set<string>();
    for await (const page of this.list(bucket, { prefix }))
      for (const o of page) {
        const cut = o.name.indexOf(delimiter, prefix.length);
        if (cut < 0) objects.push(o);
        else prefixes.add(o.name.slice(0, cut + delimiter.length));
      }
    // Everything on one page: fine for the small buckets of logic tests.
    return { objects, prefixes: [...prefixes], truncated: false };
  }

  async stat(ref: ObjectRef): Promise<ObjectInfo | undefined> {
    const found = this.stored(ref);
    return found && copyInfo(found.info);
  }

  async copy(source: ObjectRef, destination: { bucket: string; name: string }, opts: WriteOptions = {}) {
    const from = this.stored(source);
    if (!from) throw new ObjectNotFoundError(`copying ${gsUrl(source.bucket, source.name)}: no such object`);
    return this.put(destination, from.data, opts.attributes ?? attributesOf(from.info), opts.ifGenerationMatch);
  }

  async copyMany(copies: CopyRequest[]): Promise<(ObjectInfo | GwctlError)[]> {
    return Promise.all(copies.map((c) => this.copy(c.source, c.destination, c.opts).catch(asGwctlError)));
  }

  async write(destination: { bucket: string; name: string }, data: Buffer, opts: WriteOptions = {}) {
    return this.put(destination, Buffer.from(data), opts.attributes ?? { metadata: {} }, opts.ifGenerationMatch);
  }

  async writeStream(
    destination: { bucket: string; name: string },
    chunks: () => Iterable<Buffer> | AsyncIterable<Buffer>,
    opts: WriteOptions = {},
  ) {
    const parts: Buffer[] = [];
    for await (const chunk of chunks()) parts.push(Buffer.from(chunk));
    return this.write(destination, Buffer.concat(parts), opts);
  }

  async read(ref: ObjectRef): Promise<Buffer> {
    const found = this.stored(ref);
    if (!found) throw new ObjectNotFoundError(`reading ${gsUrl(ref.bucket, ref.name)}: no such object`);
    return Buffer.from(found.data);
  }

  async hash(ref: ObjectRef): Promise<StreamedHashes> {
    const data = await this.read(ref);
    return { size: data.length, ...gcsHashes(data) };
  }

  async delete(ref: ObjectRef, opts: { ifGenerationMatch?: string } = {}): Promise<'deleted' | 'gone'> {
    const found = this.stored(ref);
    if (!found) return 'gone';
    if (opts.ifGenerationMatch !== undefined && opts.ifGenerationMatch !== found.info.generation)
      throw new PreconditionFailedError(`deleting ${gsUrl(ref.bucket, ref.name)}: the object changed`);
    this.objects(ref.bucket, 'deleting').delete(ref.name);
    return 'deleted';
  }

  async deleteMany(deletes: DeleteRequest[]): Promise<('deleted' | 'gone' | GwctlError)[]> {
    return Promise.all(deletes.map((d) => this.delete(d.ref, d).catch(asGwctlError)));
  }

  async bucketExists(bucket: string): Promise<boolean> {
    return this.buckets.has(bucket);
  }

  async createBucket(bucket: string): Promise<void> {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  private objects(bucket: string, what: string): Map<string, Stored> {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new RuntimeError(`${what}: ${gsUrl(bucket)} does not exist`);
    return objects;
  }

  private stored(ref: ObjectRef): Stored | undefined {
    const found = this.buckets.get(ref.bucket)?.get(ref.name);
    return found && (!ref.generation || ref.generation === found.info.generation) ? found : undefined;
  }

  private put(
    destination: { bucket: string; name: string },
    data: Buffer,
    attributes: ObjectAttributes,
    ifGenerationMatch: string | undefined,
  ): ObjectInfo {
    const objects = this.objects(destination.bucket, `writing ${gsUrl(destination.bucket, destination.name)}`);
    const current = objects.get(destination.name);
    if (ifGenerationMatch !== undefined && ifGenerationMatch !== (current?.info.generation ?? '0'))
      throw new PreconditionFailedError(
        `writing ${gsUrl(destination.bucket, destination.name)}: the destination exists or changed (precondition failed)`,
      );
    const { md5, crc32c } = gcsHashes(data);
    const time = this.now().toISOString();
    const info: ObjectInfo = {
      ...attributesOf(attributes),
      bucket: destination.bucket,
      name: destination.name,
      generation: String(++this.generation),
      size: data.length,
      md5,
      crc32c,
      created: time,
      updated: time,
    };
    objects.set(destination.name, { info, data });
    return copyInfo(info);
  }
}

/** GCS lists names in the order of their UTF-8 bytes. */
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

function attributesOf(a: ObjectAttributes): ObjectAttributes {
  const out: ObjectAttributes = { metadata: { ...a.metadata } };
  for (const f of ATTRIBUTE_FIELDS) if (a[f] !== undefined) out[f] = a[f];
  return out;
}

const copyInfo = (info: ObjectInfo): ObjectInfo => ({ ...info, metadata: { ...info.metadata } });

const asGwctlError = (err: unknown): GwctlError =>
  err instanceof GwctlError ? err : new RuntimeError(String((err as Error)?.message ?? err));
