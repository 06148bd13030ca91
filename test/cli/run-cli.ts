/** Helpers of the CLI tests: run the built command line, a cheap training configuration, a temporary folder per test. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export function runCli(command: string, args: readonly string[]): { code: number | null; out: string; err: string } {
  return runShapegrad([command, ...args]);
}

/** The command line with exactly these arguments (none: bare `shapegrad`). */
export function runShapegrad(args: readonly string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, ['dist/src/cli/main.js', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** ResMLP, batch 8, global views only, the deterministic cpu backend, tiny k-NN sets. */
export const quickTraining: readonly string[] = ['--model', 'resmlp-tiny', '--batch-size', '8', '--local-views', '0', '--backend', 'cpu', '--knn-train', '100', '--knn-test', '50', '--minutes', '5'];

/** A fresh temporary folder for each test of the suite, removed after it: call inside describe. */
export function tempDirEach(prefix: string): () => string {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), prefix));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return () => dir;
}
