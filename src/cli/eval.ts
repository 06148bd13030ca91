/** `shapegrad eval --run runs/NAME`: re-evaluate a run's checkpoint (k-NN table and baselines) without training. */
import { backendAvailable, backendNames, type Backend } from '../compile/compile.js';
import { evalRun } from '../train/run.js';
import { intIn, numberFlag, oneOf, parseFlags, UsageError } from './args.js';
import { resultJson } from './result-json.js';

export const evalUsage = `usage: shapegrad eval --run runs/NAME [--knn-train N] [--knn-test N] [--backend wasm|webasm|cpu|headlessgl] [--data-root DIR] [--json]
  Evaluates the run's checkpoint as the end of training does and rewrites its results.txt and results.json.`;

export async function evalCommand(args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let options;
  let json = false;
  try {
    const flags = parseFlags(args, { switches: ['json'], values: ['run', 'knn-train', 'knn-test', 'backend', 'data-root'] });
    if (flags.switches.has('help')) {
      out(evalUsage);
      return 0;
    }
    const run = flags.values.get('run');
    if (run === undefined || run.trim() === '') throw new UsageError('--run runs/NAME is required');
    const backend = oneOf<Backend>(flags, 'backend', backendNames, 'wasm');
    if (!backendAvailable(backend)) throw new UsageError(`--backend ${backend} is not available on this machine`);
    json = flags.switches.has('json');
    options = {
      run,
      backend,
      knnTrain: numberFlag(flags, 'knn-train', 10000, intIn(1, 1_000_000), 'an integer from 1 to 1000000'),
      knnTest: numberFlag(flags, 'knn-test', 10000, intIn(1, 1_000_000), 'an integer from 1 to 1000000'),
      ...(flags.values.has('data-root') ? { dataRoot: flags.values.get('data-root')! } : {}),
      log: (line: string) => err(line),
    };
  } catch (e) {
    err(`shapegrad eval: ${(e as Error).message}`);
    return 2;
  }
  try {
    const result = await evalRun(options);
    if (json) out(JSON.stringify(resultJson(result, { training: false })));
    else out(result.table);
    return 0;
  } catch (e) {
    err(`shapegrad eval: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
}
