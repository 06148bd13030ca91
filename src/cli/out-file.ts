/**
 * The --out flag of commands that write one file: a path ending with the format's extension
 * (which also keeps `--out runs/x/checkpoint.json` from overwriting a checkpoint), not a
 * folder, in a folder that exists.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './args.js';

export function outFile(out: string | undefined, extension: string, fallback?: string): string {
  if (out === undefined) {
    if (fallback === undefined) throw new UsageError(`--out FILE${extension} is required`);
    return fallback;
  }
  if (out.trim() === '') throw new UsageError(`--out needs a file path, got ''`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a folder; give a file path`);
  if (!out.endsWith(extension)) throw new UsageError(`--out ${out} must end with ${extension} (the file is ${extension.slice(1)})`);
  if (!existsSync(dirname(out))) throw new UsageError(`--out ${out}: folder ${dirname(out)} does not exist`);
  return out;
}
