import {
  chmodSync,
  closeSync,
  fchmodSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

// Emulator data holds what the real services hold: Kubernetes Secrets, Vault blobs, gateway keys. Like
// ~/.ssh, it is for its owner only: files 0600 in directories 0700, whatever the umask.
export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** Creates `dir` (and missing parents) as 0700, and makes an existing one 0700. */
export function makePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodSync(dir, PRIVATE_DIR_MODE);
}

/** Opens `file` for writing (flag `w` or `a`) as 0600, even when it already existed with a wider mode. */
export function openPrivateFile(file: string, flag: 'w' | 'a'): number {
  const fd = openSync(file, flag, PRIVATE_FILE_MODE);
  fchmodSync(fd, PRIVATE_FILE_MODE);
  return fd;
}

export function writePrivateFile(file: string, data: string | Uint8Array): void {
  const fd = openPrivateFile(file, 'w');
  try {
    writeFileSync(fd, data);
  } finally {
    closeSync(fd);
  }
}

/** Written to `<file>.tmp` then renamed over `file`: a crash leaves the old file or the new one, never half. */
export function replacePrivateFile(file: string, data: string | Uint8Array): void {
  writePrivateFile(`${file}.tmp`, data);
  renameSync(`${file}.tmp`, file);
}

/**
 * Re-tightens a tree written by an older version, copied in, or loosened by hand: directories 0700, files
 * 0600. Symbolic links inside are neither followed nor changed (chmod would act on their target, outside the tree).
 */
export function tightenTree(root: string): void {
  const walk = (path: string, isRoot = false): void => {
    // The root itself may be a link the owner made (data on another disk); what is inside is never followed.
    const stat = (isRoot ? statSync : lstatSync)(path, { throwIfNoEntry: false });
    if (!stat || stat.isSymbolicLink()) return;
    if (stat.isDirectory()) {
      if ((stat.mode & 0o777) !== PRIVATE_DIR_MODE) chmodSync(path, PRIVATE_DIR_MODE);
      for (const name of readdirSync(path)) walk(join(path, name));
    } else if ((stat.mode & 0o777) !== PRIVATE_FILE_MODE) chmodSync(path, PRIVATE_FILE_MODE);
  };
  walk(root, true);
}
