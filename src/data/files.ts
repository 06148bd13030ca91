/** File-system checks for the loaders, with errors that name the path. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';

/** A folder that must exist; the error names the function, what the folder is, and its absolute path. */
export function requireFolder(fn: string, root: string, what: string): string {
  const abs = resolve(root);
  if (!existsSync(abs)) throw new Error(`${fn}: ${what} ${abs} does not exist`);
  if (!statSync(abs).isDirectory()) throw new Error(`${fn}: ${what} ${abs} is not a folder`);
  return abs;
}

/** Read a whole file; a missing or unreadable file is an Error `${prefix}${path}: ...`. */
export function readBytes(path: string, prefix: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${prefix}${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (e as Error).message})`}`);
  }
}
