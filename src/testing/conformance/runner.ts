/**
 * The conformance runner over files (Node): golden files, one or a folder,
 * each checked by golden-check.ts, one report per file.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { GoldenFile } from '../../io/golden.js';
import { allPassed, checkGolden, checkGoldenSync, decodeGoldenJson, type ConformanceOptions, type FileReport } from './golden-check.js';

export * from './golden-check.js';

/** Golden files under a path: the file itself, or every *.json in a folder (sorted). */
export function goldenFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => join(path, f));
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** A golden file read and validated. */
export function loadGolden(path: string): GoldenFile {
  return decodeGoldenJson(readJson(path), path);
}

/** The component a file names: `<component>.json`, or `<component>.<variant>.json` for a variant of it (golden-variants' dino_train_step.sgd.json). */
const componentOf = (path: string): string => basename(path).replace(/\.json$/, '').replace(/\..*$/, '');

/** Check one golden file on the reference interpreter (synchronous). */
export function checkFile(path: string, options: ConformanceOptions = {}): FileReport {
  return checkGoldenSync(componentOf(path), () => readJson(path), path, options);
}

/** Check one golden file on any backend. */
export function checkFileOn(path: string, options: ConformanceOptions = {}): Promise<FileReport> {
  return checkGolden(componentOf(path), () => readJson(path), path, options);
}

/** Check a golden file, or every golden file under a folder, against the component it names; one report per file. */
export async function runConformance(target: string, options: ConformanceOptions = {}, onReport?: (r: FileReport) => void): Promise<{ reports: FileReport[]; ok: boolean }> {
  const reports: FileReport[] = [];
  for (const f of goldenFiles(target)) {
    const report = await checkFileOn(f, options);
    onReport?.(report);
    reports.push(report);
  }
  return { reports, ok: allPassed(reports) };
}
