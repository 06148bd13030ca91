/**
 * `train --resume`: the run's settings come from its run.json, so `--resume --out RUN` needs
 * no other flag. A setting given again must equal the recorded one: a different batch size,
 * learning rate, seed, model, method, schedule... would make the rest of the run another
 * run than its checkpoint and run.json describe, so each is refused by name.
 */
import type { RunInfo } from '../train/run-dir.js';
import { UsageError, type Flags } from './args.js';
import { methodsReading } from '../train/methods.js';
import { DEFAULT_FLIP } from '../data/multi-crop.js';

/** The flags that set a run and the run.json config field each is recorded in. */
const settingFlags: ReadonlyArray<readonly [flag: string, configKey: string]> = [
  ['batch-size', 'batchSize'],
  ['lr', 'lr'],
  ['seed', 'seed'],
  ['local-views', 'localViews'],
  ['backend', 'backend'],
  ['out-dim', 'outDim'],
  ['out-dim', 'clusters'],
  ['teacher-temp', 'teacherTemp'],
  ['momentum-teacher', 'momentumTeacher'],
  ['freeze-last-layer', 'freezeLastLayer'],
  ['labels-per-class', 'labelsPerClass'],
  ['flip', 'flip'],
  ['cluster-images', 'clusterImages'],
  ['optimizer', 'optimizer'],
  ['queue-length', 'queueLength'],
  ['epoch-queue-starts', 'epochQueueStarts'],
  ['minutes', 'minutes'],
  ['max-steps', 'maxSteps'],
  ['knn-train', 'knnTrain'],
  ['knn-test', 'knnTest'],
];

/** The run's settings as flag values (`--batch-size 8` as 'batch-size' -> '8'). */
export function recordedFlags(info: RunInfo): Map<string, string> {
  const out = new Map<string, string>([
    ['method', info.method],
    ['model', info.model],
    ['dataset', info.dataset],
  ]);
  for (const [flag, key] of settingFlags) {
    const v = info.config[key];
    if (typeof v === 'number' || typeof v === 'string') out.set(flag, String(v));
  }
  // DINO runs from before --freeze-last-layer froze the last layer for one epoch; they continue so.
  if (info.method === 'dino' && !out.has('freeze-last-layer')) out.set('freeze-last-layer', '1');
  // Runs that did not set --flip flipped with the recipes' probability.
  if (!out.has('flip') && (methodsReading('flip') as string[]).includes(info.method)) out.set('flip', String(DEFAULT_FLIP));
  return out;
}

const same = (a: string, b: string) => a === b || (a.trim() !== '' && b.trim() !== '' && Number(a) === Number(b));

/**
 * The flags of a resumed run: the recorded settings, with the given flags on top. A given
 * setting that differs from the recorded one (or that the run did not set, such as
 * --max-steps on a time-budget run) is a UsageError naming every such flag.
 */
export function resumeFlags(given: Flags, info: RunInfo, dir: string): Flags {
  const recorded = recordedFlags(info);
  // runs made before the schedule and k-NN sets were recorded: those flags cannot be checked
  const hasSchedule = Object.prototype.hasOwnProperty.call(info.config, 'minutes');
  const unrecorded = new Set(hasSchedule ? [] : ['minutes', 'max-steps', 'knn-train', 'knn-test']);
  const settings = new Set(['method', 'model', 'dataset', ...settingFlags.map(([flag]) => flag)]);
  const changed: string[] = [];
  for (const [flag, value] of given.values) {
    if (!settings.has(flag)) continue;
    if (unrecorded.has(flag)) continue;
    const was = recorded.get(flag);
    if (was === undefined) changed.push(`--${flag} ${value} (the run has none)`);
    else if (!same(value, was)) changed.push(`--${flag} ${value} (the run has ${was})`);
  }
  if (changed.length > 0) {
    throw new UsageError(`--resume continues ${dir} with the settings in its run.json; these differ: ${changed.join(', ')}; drop them to resume, or start a new run with another --out`);
  }
  const values = new Map(given.values);
  for (const [flag, value] of recorded) if (!values.has(flag)) values.set(flag, value);
  return { ...given, values };
}
