/** Reading IDX files from disk (Node only; the parser itself, parseIdx, takes bytes and runs anywhere). */
import { readBytes } from './files.js';
import { IdxError, parseIdx, type IdxArray, type IdxExpectation } from './idx.js';

/** A whole IDX file's bytes; a missing or unreadable file is an IdxError naming the path. */
export function readIdxBytes(path: string): Uint8Array {
  try {
    return readBytes(path, '');
  } catch (e) {
    throw new IdxError(path, (e as Error).message.slice(path.length + 2));
  }
}

/** Read and parse an IDX file. */
export function readIdx(path: string, expect: IdxExpectation = {}): IdxArray {
  return parseIdx(readIdxBytes(path), path, expect);
}
