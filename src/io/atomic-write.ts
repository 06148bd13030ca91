/**
 * Whole-file writes that a crash cannot leave half done: a temporary file in
 * the same folder, fsync, rename, fsync the folder. Run folders, checkpoints,
 * plots and exports all write through it.
 */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Test hooks for {@link writeFileAtomic}. */
export interface AtomicWriteHooks {
  /** Called after the temporary file is written and synced, before the rename (tests throw here). */
  readonly beforeRename?: (tmpPath: string) => void;
}

/** The temporary name used while writing `path` (same folder, so the rename is atomic). */
export function tmpPathFor(path: string): string {
  return join(dirname(path), `${basename(path)}.tmp-${process.pid}`);
}

/**
 * Replace (or create) `path` with `data` atomically: write `${path}.tmp-<pid>`
 * in the same folder, fsync it, rename it over `path`, fsync the folder. On any
 * failure the temporary file is removed and the previous `path` is untouched.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, hooks: AtomicWriteHooks = {}): void {
  const tmp = tmpPathFor(path);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'w', 0o644);
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    hooks.beforeRename?.(tmp);
    renameSync(tmp, path);
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* it may never have been created */
    }
    throw e;
  }
  syncFolder(dirname(path));
}

/** fsync a folder so a rename in it is durable; not every platform allows it, so failures are ignored. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* best effort */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

