/**
 * A run folder (`runs/NAME`): where one training run keeps its identity
 * (run.json), checkpoint, metrics, results and plots.
 *
 * Rules: a folder is created if absent; an existing folder is reused only to
 * resume the same run (same method, model and dataset) and only when resume is
 * asked; nothing here ever deletes a file. Every whole-file write goes through
 * writeFileAtomic (src/io/atomic-write.ts): a temporary file in the same folder, fsync, rename,
 * so a crash leaves either the old file or the new one, never half of one.
 */
import { oneLine } from './one-line.js';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';

/** A run folder problem, as one line naming the folder. */
export class RunDirError extends Error {
  constructor(message: string, readonly dir: string) {
    super(message);
    this.name = 'RunDirError';
  }
}

export { writeFileAtomic, tmpPathFor, type AtomicWriteHooks } from '../io/atomic-write.js';

/** The files of a run folder. */
export interface RunPaths {
  readonly dir: string;
  /** run.json: the run's identity (method, model, dataset, config), written once. */
  readonly info: string;
  readonly checkpoint: string;
  readonly metrics: string;
  readonly resultsTxt: string;
  readonly resultsJson: string;
  readonly plotsDir: string;
  /** plots/NAME.svg or plots/NAME.png */
  plot(name: string, ext: 'svg' | 'png'): string;
}

/** The paths of a run folder's files (run.json, metrics, checkpoints, plots). */
export function runPaths(dir: string): RunPaths {
  const plotsDir = join(dir, 'plots');
  return {
    dir,
    info: join(dir, 'run.json'),
    checkpoint: join(dir, 'checkpoint.json'),
    metrics: join(dir, 'metrics.jsonl'),
    resultsTxt: join(dir, 'results.txt'),
    resultsJson: join(dir, 'results.json'),
    plotsDir,
    plot: (name, ext) => {
      if (!/^[A-Za-z0-9._-]+$/.test(name) || name.startsWith('.')) throw new RunDirError(`plot name ${JSON.stringify(name)} must be letters, digits, '.', '_' or '-'`, dir);
      return join(plotsDir, `${name}.${ext}`);
    },
  };
}

/** What identifies a run: a folder is resumed only by the same method, model and dataset. */
export interface RunIdentity {
  readonly method: string;
  readonly model: string;
  readonly dataset: string;
  readonly config?: Readonly<Record<string, unknown>>;
}

/** run.json: the run's method, model, dataset and settings. */
export interface RunInfo {
  readonly method: string;
  readonly model: string;
  readonly dataset: string;
  readonly config: Readonly<Record<string, unknown>>;
  /** ISO time the folder was created. */
  readonly createdAt: string;
}

const RunInfoFile = t.type({
  format: t.literal('shapegrad-run'),
  version: t.literal(1),
  method: t.string,
  model: t.string,
  dataset: t.string,
  config: t.UnknownRecord,
  createdAt: t.string,
});

/** An open run folder: its paths and run.json. */
export interface RunDir {
  readonly paths: RunPaths;
  /** The stored identity (on resume, the one written when the run began). */
  readonly info: RunInfo;
  /** True when the folder was made (or was empty) now; false when an existing run is resumed. */
  readonly fresh: boolean;
  /** True when resuming and the folder holds a checkpoint to continue from. */
  readonly hasCheckpoint: boolean;
}

/** Opening a run folder: whether to resume. */
export interface OpenRunOptions {
  /** Continue the run in this folder if it holds one (same method, model, dataset). */
  readonly resume?: boolean;
  /** Clock for createdAt (tests). */
  readonly now?: () => Date;
}

/** Leftovers that do not make a folder "in use": our own temporary files and OS litter. */
const IGNORED = (name: string) => /\.tmp-\d+$/.test(name) || name === '.DS_Store' || name === 'Thumbs.db';

const describeRun = (r: { method: string; model: string; dataset: string }) => `${r.method} / ${r.model} / ${r.dataset}`;

/** Read a run folder's identity (for `eval --run`); one-line errors when it is not a run folder. */
export function readRunInfo(dir: string): RunInfo {
  const paths = runPaths(dir);
  if (!existsSync(dir)) throw new RunDirError(`run folder ${dir} does not exist`, dir);
  if (!statSync(dir).isDirectory()) throw new RunDirError(`${dir} is a file, not a run folder`, dir);
  if (!existsSync(paths.info)) throw new RunDirError(`${dir} is not a shapegrad run folder (it has no run.json)`, dir);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(paths.info, 'utf8'));
  } catch (e) {
    throw new RunDirError(`${paths.info}: not valid JSON (${oneLine(e)})`, dir);
  }
  const decoded = RunInfoFile.decode(json);
  if (isLeft(decoded)) {
    const first = decoded.left[0];
    const field = first?.context.map((c) => c.key).filter((k) => k !== '').join('.') || '(root)';
    throw new RunDirError(`${paths.info}: ${field}: expected ${first?.context[first.context.length - 1]?.type.name ?? 'a value'}, got ${JSON.stringify(first?.value)?.slice(0, 40)}`, dir);
  }
  const { method, model, dataset, config, createdAt } = decoded.right;
  return { method, model, dataset, config, createdAt };
}

/**
 * Create or reopen a run folder.
 *  - absent or empty: created, run.json written; fresh = true.
 *  - holds a run and resume is not asked: refused (nothing is touched).
 *  - holds a run of another method/model/dataset: refused, even with resume.
 *  - holds other files but no run.json: refused.
 *  - resume asked and the folder is absent, empty or not a run: refused (a mistyped
 *    folder must not silently start a fresh run).
 * Errors are {@link RunDirError}s with one line that says what to do.
 */
export function openRunDir(dir: string, identity: RunIdentity, options: OpenRunOptions = {}): RunDir {
  const paths = runPaths(dir);
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new RunDirError(`--out ${dir} is a file, not a folder; choose another --out`, dir);
  if (options.resume && !existsSync(dir)) throw new RunDirError(`cannot resume: run folder ${dir} does not exist; check the folder name, or drop --resume to start a new run`, dir);
  if (!existsSync(dir)) {
    mkdirSync(dirname(resolve(dir)), { recursive: true });
    try {
      mkdirSync(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  const entries = readdirSync(dir).filter((n) => !IGNORED(n));
  if (options.resume && entries.length === 0) throw new RunDirError(`cannot resume: ${dir} holds no run; check the folder name, or drop --resume to start a new run`, dir);
  if (entries.length === 0) {
    const info: RunInfo = { method: identity.method, model: identity.model, dataset: identity.dataset, config: identity.config ?? {}, createdAt: (options.now?.() ?? new Date()).toISOString() };
    const text = `${JSON.stringify({ format: 'shapegrad-run', version: 1, ...info }, null, 2)}\n`;
    try {
      // 'wx': never replace a run.json another process wrote a moment ago
      const fd = openSync(paths.info, 'wx', 0o644);
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new RunDirError(`${dir} was claimed by another run just now; choose another --out`, dir);
      throw e;
    }
    return { paths, info, fresh: true, hasCheckpoint: false };
  }
  if (!entries.includes('run.json')) {
    const shown = entries.slice(0, 3).join(', ') + (entries.length > 3 ? `, ... (${entries.length} entries)` : '');
    throw new RunDirError(`${dir} is not empty and is not a shapegrad run folder (it holds ${shown}); choose another --out`, dir);
  }
  const info = readRunInfo(dir);
  const same = info.method === identity.method && info.model === identity.model && info.dataset === identity.dataset;
  if (!same) throw new RunDirError(`${dir} holds a different run (${describeRun(info)}, not ${describeRun(identity)}); choose another --out`, dir);
  if (!options.resume) throw new RunDirError(`${dir} already holds a run (${describeRun(info)}); pass --resume to continue it, or choose another --out`, dir);
  return { paths, info, fresh: false, hasCheckpoint: existsSync(paths.checkpoint) };
}

/**
 * Undo a fresh run that failed before its first checkpoint: its files go, and the folder too
 * when nothing else is left in it.
 */
export function discardRunDir(paths: RunPaths): void {
  for (const name of readdirSync(paths.dir)) {
    if (name === 'run.json' || name === 'plots' || name.endsWith('.jsonl') || name.startsWith('results.')) rmSync(join(paths.dir, name), { recursive: true, force: true });
  }
  if (readdirSync(paths.dir).length === 0) rmdirSync(paths.dir);
}

/** Make plots/ if needed and return its path. */
export function ensurePlotsDir(paths: RunPaths): string {
  mkdirSync(paths.plotsDir, { recursive: true });
  return paths.plotsDir;
}

export { oneLine } from './one-line.js';
