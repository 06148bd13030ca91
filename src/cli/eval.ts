/** `shapegrad eval --run runs/NAME`: re-evaluate a run's checkpoint (k-NN table and baselines) without training. */
import { isBackendAvailable } from '../compile/gpujs/backends.js';
import { backendNames, type Backend } from '../compile/compile.js';
import { evalRun } from '../train/run.js';
import { parseFlagsOf, UsageError } from './train.js';

export const evalUsage = `usage: shapegrad eval --run runs/NAME [--knn-train N] [--knn-test N] [--backend wasm|webasm|cpu|headlessgl] [--data-root DIR] [--json]
  Evaluates the run's checkpoint as the end of training does and rewrites its results.txt and results.json.`;

const positive = (raw: string | undefined, name: string, fallback: number): number => {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isInteger(v) || v <= 0) throw new UsageError(`--${name} must be a positive integer, got '${raw}'`);
  return v;
};

export async function evalCommand(args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let options;
  let json = false;
  try {
    const flags = parseFlagsOf(args, new Set(['json']), new Set(['run', 'knn-train', 'knn-test', 'backend', 'data-root']));
    const run = flags.values.get('run');
    if (run === undefined) throw new UsageError('--run runs/NAME is required');
    const backend = (flags.values.get('backend') ?? 'wasm') as Backend;
    if (!(backendNames as readonly string[]).includes(backend)) throw new UsageError(`--backend must be one of ${backendNames.join(', ')}, got '${backend}'`);
    if (backend !== 'wasm' && !isBackendAvailable(backend)) throw new UsageError(`--backend ${backend} is not available on this machine`);
    json = flags.switches.has('json');
    options = {
      run,
      backend,
      knnTrain: positive(flags.values.get('knn-train'), 'knn-train', 10000),
      knnTest: positive(flags.values.get('knn-test'), 'knn-test', 10000),
      ...(flags.values.has('data-root') ? { dataRoot: flags.values.get('data-root')! } : {}),
      log: (line: string) => err(line),
    };
  } catch (e) {
    err(`shapegrad eval: ${(e as Error).message}`);
    return 2;
  }
  try {
    const result = await evalRun(options);
    if (json) out(JSON.stringify({ steps: result.steps, rows: result.rows.map((r) => ({ name: r.name, knn: r.knn, dim: r.dim })), notes: result.notes }));
    else out(result.table);
    return 0;
  } catch (e) {
    err(`shapegrad eval: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
}
