/**
 * Temporary files a killed write left in a run folder (`checkpoint.json.tmp-<pid>`,
 * see writeFileAtomic): on resume they are removed and named, so that the
 * user learns that a checkpoint write was interrupted. A file whose process is
 * still alive belongs to a run writing to this folder right now: that is an error.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { RunDirError } from './run-dir.js';

/** The pid in a temporary file's name, or undefined when it is not one of ours. */
export function tmpFilePid(name: string): number | undefined {
  const m = /\.tmp-(\d+)$/.exec(name);
  return m === null ? undefined : Number(m[1]);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return false; // our own leftovers cannot be in use: we are not writing
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the leftover temporary files of `dir`; returns their names. */
export function removeLeftoverTmpFiles(dir: string, alive: (pid: number) => boolean = isAlive): string[] {
  const leftovers = readdirSync(dir).filter((name) => tmpFilePid(name) !== undefined);
  const busy = leftovers.find((name) => alive(tmpFilePid(name)!));
  if (busy !== undefined) throw new RunDirError(`${join(dir, busy)} is being written by process ${tmpFilePid(busy)}, which is still running: another run is using ${dir}; stop it first`, dir);
  for (const name of leftovers) unlinkSync(join(dir, name));
  return leftovers;
}
