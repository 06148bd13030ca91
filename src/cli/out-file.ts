/** The --out flag of commands that write one file: a path, not a folder, whose extension does not contradict the format. */
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UsageError } from './args.js';

const known = ['.safetensors', '.onnx'];

export function outFile(out: string | undefined, extension: string, fallback?: string): string {
  if (out === undefined) {
    if (fallback === undefined) throw new UsageError(`--out FILE${extension} is required`);
    return fallback;
  }
  if (out.trim() === '') throw new UsageError(`--out needs a file path, got ''`);
  const other = known.find((e) => e !== extension && out.endsWith(e));
  if (other !== undefined) throw new UsageError(`--out ${out} ends with ${other}, but the file is ${extension.slice(1)}`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a folder; give a file path`);
  if (!existsSync(dirname(out))) throw new UsageError(`--out ${out}: folder ${dirname(out)} does not exist`);
  return out;
}
