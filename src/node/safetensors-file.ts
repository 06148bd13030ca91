/**
 * safetensors files on disk: the byte codecs of src/io/safetensors with
 * Node's file system (writes are atomic: a temporary file, then a rename).
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic-write.js';
import { loadSafetensors, saveSafetensors, type LoadedParams, type LoadSafetensorsOptions, type SafetensorsTensors, type SaveSafetensorsOptions } from '../io/safetensors/tree.js';
import { SafetensorsError } from '../io/safetensors/format.js';

function read(file: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new SafetensorsError(`${file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function named<R>(file: string, f: () => R): R {
  try {
    return f();
  } catch (e) {
    if (e instanceof SafetensorsError) throw new SafetensorsError(`${file}: ${e.message}`, e.tensor);
    throw e;
  }
}

/** A safetensors file's tensors by name; or, given a parameter tree `like`, the tree loaded from it (names and shapes checked). */
export function readSafetensors(file: string): SafetensorsTensors;
/** A safetensors file's tensors by name; or, given a parameter tree `like`, the tree loaded from it (names and shapes checked). */
export function readSafetensors<T>(file: string, like: T, options?: LoadSafetensorsOptions): LoadedParams<T>;
export function readSafetensors<T>(file: string, like?: T, options?: LoadSafetensorsOptions): SafetensorsTensors | LoadedParams<T> {
  const bytes = read(file);
  return named(file, () => (like === undefined ? loadSafetensors(bytes) : loadSafetensors(bytes, like, options)));
}

/** Write a parameter tree as a safetensors file; returns the number of bytes written. */
export function writeSafetensors(file: string, tree: unknown, options: SaveSafetensorsOptions = {}): number {
  const bytes = saveSafetensors(tree, options);
  writeFileAtomic(file, bytes);
  return bytes.length;
}
