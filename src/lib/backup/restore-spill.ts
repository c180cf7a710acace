import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ManifestEntry } from './manifest.js';

/** One copy a restore decided on: the entry to restore, and the generation it replaces (`'0'`: none). */
export interface RestoreCopy {
  entry: ManifestEntry;
  /** `'0'` for a missing object; the generation being replaced otherwise, so a concurrent writer is not clobbered. */
  ifGenerationMatch: string;
}

/** An extra object of the target to delete, only if it is still the generation planned. */
export interface ExtraObject {
  name: string;
  generation: string;
}

/**
 * The work a restore plan decided on, spilled to files as it is planned, in name order: the apply reads
 * them back and does exactly that, never a fresh decision (a copy guarded by the generation seen when
 * planning cannot clobber a writer that came after). A million objects' decisions would take hundreds
 * of MiB in memory; on disk they take about their manifest lines. The directory is private (0700, files
 * 0600): object names and metadata are the bucket's, not the world's.
 */
export interface RestoreWork {
  readonly dir: string;
  copies(): AsyncIterable<RestoreCopy>;
  deletes(): AsyncIterable<ExtraObject>;
  /** Removes the files; a restore calls it whatever happened (dry run, no-op, failure). */
  remove(): Promise<void>;
}

const PREFIX = 'gwctl-restore-';
/** Bytes gathered before each write. */
const CHUNK = 1 << 20;

/** A new private directory to spill a restore's decisions into; directories left by restores that were killed are removed first. */
export async function spillWriter(): Promise<RestoreSpillWriter> {
  await removeAbandoned();
  const dir = await mkdtemp(join(tmpdir(), `${hostPrefix()}${process.pid}-`));
  try {
    const copies = await open(join(dir, 'copies'), 'wx', 0o600);
    const deletes = await open(join(dir, 'deletes'), 'wx', 0o600);
    return new RestoreSpillWriter(dir, new LineFile(copies), new LineFile(deletes));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}

export class RestoreSpillWriter {
  constructor(
    readonly dir: string,
    private readonly copyFile: LineFile,
    private readonly deleteFile: LineFile,
  ) {}

  async copy(c: RestoreCopy): Promise<void> {
    // One line each: the generation replaced, a tab, the entry as JSON (which never holds a raw tab or line break).
    await this.copyFile.write(`${c.ifGenerationMatch}\t${JSON.stringify(c.entry)}\n`);
  }

  async delete(o: ExtraObject): Promise<void> {
    await this.deleteFile.write(`${o.generation}\t${JSON.stringify(o.name)}\n`);
  }

  /** The files, complete, to read back. */
  async finish(): Promise<RestoreWork> {
    await this.copyFile.close();
    await this.deleteFile.close();
    const dir = this.dir;
    return {
      dir,
      copies: () =>
        mapLines(join(dir, 'copies'), (generation, json) => ({
          ifGenerationMatch: generation,
          entry: JSON.parse(json) as ManifestEntry,
        })),
      deletes: () =>
        mapLines(join(dir, 'deletes'), (generation, json) => ({ generation, name: JSON.parse(json) as string })),
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  }

  /** Planning failed: the files go. */
  async abandon(): Promise<void> {
    await Promise.allSettled([this.copyFile.close(), this.deleteFile.close()]);
    await rm(this.dir, { recursive: true, force: true });
  }
}

class LineFile {
  private buffered: string[] = [];
  private size = 0;
  private closed = false;

  constructor(private readonly fh: FileHandle) {}

  async write(line: string): Promise<void> {
    this.buffered.push(line);
    this.size += line.length;
    if (this.size >= CHUNK) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffered.length === 0) return;
    const text = this.buffered.join('');
    this.buffered = [];
    this.size = 0;
    await this.fh.write(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.flush();
    } finally {
      await this.fh.close();
    }
  }
}

async function* mapLines<T>(path: string, parse: (head: string, json: string) => T): AsyncIterable<T> {
  const input = createReadStream(path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const tab = line.indexOf('\t');
      yield parse(line.slice(0, tab), line.slice(tab + 1));
    }
  } finally {
    lines.close();
    // Closing the interface leaves its input open: a reader that stops early (a failed restore) would keep the descriptor.
    input.destroy();
  }
}

/**
 * Spill directories of restores whose process is gone (kill -9, a crash): a restore of a million objects
 * leaves hundreds of MiB behind otherwise. A pid means something only in its own pid namespace, and /tmp may be
 * shared by containers (same uid, other hosts): so only this host's directories (the hostname is in the name),
 * only real directories (lstat: a symlink is never followed) owned by this user, only when the pid in the name no
 * longer runs here, and only once untouched for an hour (a live restore writes its files as it plans).
 */
async function removeAbandoned(now = Date.now()): Promise<void> {
  let names: string[];
  try {
    names = await readdir(tmpdir());
  } catch {
    return;
  }
  const uid = process.getuid?.();
  const mine = hostPrefix();
  for (const name of names) {
    if (!name.startsWith(mine)) continue;
    const pid = Number(/^(\d+)-[^-]+$/.exec(name.slice(mine.length))?.[1]);
    if (!pid || pid === process.pid || isRunning(pid)) continue;
    const path = join(tmpdir(), name);
    const info = await lstat(path).catch(() => undefined);
    if (!info?.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
    if (now - (await lastWritten(path, info.mtimeMs)) < ABANDONED_AFTER_MS) continue;
    await rm(path, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** The newest mtime of a spill directory and its files (appended to as a restore plans). */
async function lastWritten(dir: string, dirMtimeMs: number): Promise<number> {
  const files = await readdir(dir).catch(() => []);
  const times = await Promise.all(
    files.map((f) =>
      lstat(join(dir, f)).then(
        (i) => i.mtimeMs,
        () => Infinity,
      ),
    ),
  );
  return Math.max(dirMtimeMs, ...times);
}

/** How long a spill directory stays untouched before a restore on the same host may take it for abandoned. */
export const ABANDONED_AFTER_MS = 60 * 60 * 1000;

/** `gwctl-restore-<hostname>-`: the spill directories of this host's restores start so (the pid follows). */
export const hostPrefix = () => `${PREFIX}${hostname().replace(/[^A-Za-z0-9.-]/g, '_')}-`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
