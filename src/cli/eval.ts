/**
 * `shapegrad eval --run runs/NAME`: re-evaluate a run's checkpoint (k-NN table and baselines) without training;
 * `shapegrad eval --weights FILE --model NAME`: the same table for a backbone's weights from a safetensors file.
 */
import { DATASET_NAMES } from '../data/dataset-names.js';
import { backendAvailable, backendNames, type Backend } from '../compile/compile.js';
import { evalRun, loadDataset, requireTrainerImages, type DatasetName, type RunResult } from '../train/run.js';
import { evaluateBackbone } from '../train/evaluate.js';
import { readBackboneWeights } from '../train/backbone-weights.js';
import type { ModelName } from '../train/models.js';
import { intIn, numberFlag, oneOf, parseFlags, UsageError } from './args.js';
import { backboneSourceFlags } from './backbone-source.js';
import { resultJson } from './result-json.js';
import { basename } from 'node:path';

export const evalUsage = `usage: shapegrad eval (--run runs/NAME | --weights FILE.safetensors --model xcit-tiny|resmlp-tiny|vit-tiny|regnety-tiny [--dataset NAME] [--seed N])
                      [--knn-train N] [--knn-test N] [--backend wasm|webasm|cpu|headlessgl] [--data-root DIR] [--json]
  --run: evaluates the run's checkpoint as the end of training does and rewrites its results.txt and results.json.
  --weights: the same table for a backbone trained elsewhere (official state_dict names), printed only;
  --seed draws the random-initialisation baseline (default 0), --dataset defaults to mnist.`;

interface WeightsEval {
  readonly weights: string;
  readonly model: ModelName;
  readonly dataset: DatasetName;
  readonly seed: number;
  readonly backend: Backend;
  readonly knnTrain: number;
  readonly knnTest: number;
  readonly dataRoot?: string;
  readonly log: (line: string) => void;
}

async function evalWeights(o: WeightsEval): Promise<RunResult> {
  const train = loadDataset(o.dataset, 'train', o.dataRoot);
  const test = loadDataset(o.dataset, 'test', o.dataRoot);
  const params = readBackboneWeights(o.weights, o.model, requireTrainerImages(train, o.model));
  const r = await evaluateBackbone({ model: o.model, dataset: o.dataset, steps: 0, seed: o.seed, backend: o.backend, backbone: params, rowName: `weights ${basename(o.weights)} (${o.model})`, train, test, knnTrain: o.knnTrain, knnTest: o.knnTest, log: o.log });
  return { rows: r.rows, steps: 0, imagesPerSecond: 0, table: r.table, notes: r.notes };
}

export async function evalCommand(args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let go: () => Promise<RunResult>;
  let json = false;
  try {
    const flags = parseFlags(args, { switches: ['json'], values: ['run', 'weights', 'model', 'dataset', 'seed', 'knn-train', 'knn-test', 'backend', 'data-root'] });
    if (flags.switches.has('help')) {
      out(evalUsage);
      return 0;
    }
    const source = backboneSourceFlags(flags);
    const backend = oneOf<Backend>(flags, 'backend', backendNames, 'wasm');
    if (!backendAvailable(backend)) throw new UsageError(`--backend ${backend} is not available on this machine`);
    json = flags.switches.has('json');
    const common = {
      backend,
      knnTrain: numberFlag(flags, 'knn-train', 10000, intIn(1, 1_000_000), 'an integer from 1 to 1000000'),
      knnTest: numberFlag(flags, 'knn-test', 10000, intIn(1, 1_000_000), 'an integer from 1 to 1000000'),
      ...(flags.values.has('data-root') ? { dataRoot: flags.values.get('data-root')! } : {}),
      log: (line: string) => err(line),
    };
    if ('run' in source) {
      for (const flag of ['dataset', 'seed']) if (flags.values.has(flag)) throw new UsageError(`--${flag} goes with --weights; a run's ${flag} is in its run.json`);
      go = () => evalRun({ run: source.run, ...common });
    } else {
      const o = { ...source, dataset: oneOf<DatasetName>(flags, 'dataset', DATASET_NAMES, 'mnist'), seed: numberFlag(flags, 'seed', 0, intIn(0, 2 ** 31 - 1), 'an integer from 0 to 2147483647'), ...common };
      go = () => evalWeights(o);
    }
  } catch (e) {
    err(`shapegrad eval: ${(e as Error).message}`);
    return 2;
  }
  try {
    const result = await go();
    if (json) out(JSON.stringify(resultJson(result, { training: false })));
    else out(result.table);
    return 0;
  } catch (e) {
    err(`shapegrad eval: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
}
