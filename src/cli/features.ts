/** `shapegrad features`: the features of every image of a split as a safetensors file (tensors `features` [N, C] and `labels` [N]), for use elsewhere. */
import { DATASET_NAMES } from '../data/dataset-names.js';
import { backendAvailable, backendNames, type Backend } from '../compile/compile.js';
import { loadDataset, requireTrainerImages, type DatasetName } from '../train/run.js';
import { datasetFeatures } from '../train/dataset-features.js';
import { writeSafetensors } from '../node/safetensors-file.js';
import { intIn, numberFlag, oneOf, parseFlags, UsageError } from './args.js';
import { backboneSourceFlags, readBackboneSource } from './backbone-source.js';
import { outFile } from './out-file.js';

export const featuresUsage = `usage: shapegrad features (--run runs/NAME | --weights FILE.safetensors --model xcit-tiny|resmlp-tiny|vit-tiny|regnety-tiny)
                          [--dataset NAME] --split train|test [--limit N] --out FILE.safetensors
                          [--backend wasm|webasm|cpu|headlessgl] [--data-root DIR]
  Writes features [N, C] (F32) and labels [N] (F32) of the first N images of the split (all without --limit),
  in the split's order; --dataset defaults to the run's (required with --weights).`;

export async function featuresCommand(args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let o;
  try {
    const flags = parseFlags(args, { switches: [], values: ['run', 'weights', 'model', 'dataset', 'split', 'limit', 'out', 'backend', 'data-root'] });
    if (flags.switches.has('help')) {
      out(featuresUsage);
      return 0;
    }
    const source = backboneSourceFlags(flags);
    if ('weights' in source && !flags.values.has('dataset')) throw new UsageError(`--weights needs --dataset ${DATASET_NAMES.join('|')}`);
    if (!flags.values.has('split')) throw new UsageError('--split train|test is required');
    const backend = oneOf<Backend>(flags, 'backend', backendNames, 'wasm');
    if (!backendAvailable(backend)) throw new UsageError(`--backend ${backend} is not available on this machine`);
    o = {
      source,
      dataset: flags.values.has('dataset') ? oneOf<DatasetName>(flags, 'dataset', DATASET_NAMES, 'mnist') : undefined,
      split: oneOf(flags, 'split', ['train', 'test'] as const, 'test'),
      limit: flags.values.has('limit') ? numberFlag(flags, 'limit', 0, intIn(1, 1_000_000), 'an integer from 1 to 1000000') : undefined,
      file: outFile(flags.values.get('out'), '.safetensors'),
      backend,
      dataRoot: flags.values.get('data-root'),
    };
  } catch (e) {
    err(`shapegrad features: ${(e as Error).message}`);
    return 2;
  }
  try {
    // --weights: sized for the dataset's images (read first); --run: as the run recorded
    const given = o.dataset === undefined ? undefined : loadDataset(o.dataset, o.split, o.dataRoot);
    const b = readBackboneSource(o.source, given === undefined || !('weights' in o.source) ? undefined : requireTrainerImages(given, o.source.model));
    const dataset = o.dataset ?? b.dataset!;
    const data = given ?? loadDataset(dataset, o.split, o.dataRoot);
    const n = Math.min(o.limit ?? data.n, data.n);
    err(`${b.label}: features of ${n} ${dataset} ${o.split} images (backend ${o.backend})`);
    const { features, dim } = await datasetFeatures(b.model, b.params, data, n, o.backend);
    const tree = {
      features: { axes: ['N', 'C'], sizes: [n, dim], data: Float64Array.from(features) },
      labels: { axes: ['N'], sizes: [n], data: Float64Array.from(data.labels.subarray(0, n)) },
    };
    const bytes = writeSafetensors(o.file, tree, { dtype: 'F32', metadata: { ...b.metadata, content: 'features', dataset, split: o.split, images: String(n) } });
    out(`wrote ${o.file} (${bytes} bytes: features [${n}, ${dim}], labels [${n}])`);
    return 0;
  } catch (e) {
    err(`shapegrad features: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
}
