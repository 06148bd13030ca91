/**
 * What one training method brings to the methods table (methods.ts): its
 * label, the CLI's defaults and the flags only it reads, the configuration
 * run.json records, where its checkpoint keeps the backbone, and its trainer.
 */
import type { Dataset } from '../data/dataset.js';
import type { MethodOptions } from './methods.js';
import { MNIST_IMAGES, type ModelName } from './models.js';
import type { OptimizerName } from './optimizer-choice.js';
import type { Trainer, TrainState } from './trainer.js';

/** The CLI flags that only some methods read: given to any other method they are an error, not silently ignored. */
export type MethodFlag = 'out-dim' | 'teacher-temp' | 'momentum-teacher' | 'freeze-last-layer' | 'labels-per-class' | 'cluster-images' | 'optimizer' | 'queue-length' | 'epoch-queue-starts' | 'flip';

/** The optimisers a method accepts (--optimizer), its default, and the default --lr with each. */
export interface OptimizerDefaults {
  readonly name: OptimizerName;
  readonly lr: Readonly<Partial<Record<OptimizerName, number>>>;
}

/** One training method, as the CLI, the run loop, run.json and `eval --run` see it. */
export interface MethodEntry {
  /** The method's name in tables and plots: 'DINO', 'SwAV', … */
  readonly label: string;
  /** The CLI's defaults for this method; `outDim` names what --out-dim means for it (absent: it takes no --out-dim). */
  readonly defaults: {
    readonly batchSize: number;
    /** The default --lr (with the default optimiser, when the method takes --optimizer). */
    readonly lr: number;
    readonly outDim?: { readonly value: number; readonly meaning: string };
    /** The default --model (absent: xcit-tiny). */
    readonly model?: ModelName;
    /** What --optimizer accepts (absent: the method takes no --optimizer). */
    readonly optimizer?: OptimizerDefaults;
  };
  /** The method-specific flags it reads. */
  readonly flags: readonly MethodFlag[];
  /** Where the evaluated backbone lies in the tree its checkpoint stores. */
  readonly evaluatedBackbone: string;
  /** Every place in that tree a backbone trained elsewhere is copied to (--init-from). */
  readonly initialBackbones: readonly string[];
  /** The options that shape a run, as run.json and the checkpoint record them. */
  config(o: MethodOptions): Record<string, unknown>;
  /** The trainer; `plannedSteps` is the span of the schedules when no progress is given. */
  trainer(o: MethodOptions, train: Dataset, plannedSteps: number): Trainer<TrainState>;
}

/** --flip as run.json records it and the trainers take it: absent unless given (the recipes' DEFAULT_FLIP). */
export const flipConfig = (o: MethodOptions): { flip?: number } => (o.flip === undefined ? {} : { flip: o.flip });

/** The settings every method records in run.json. */
export const commonConfig = (o: MethodOptions) => ({ batchSize: o.batchSize, lr: o.lr, seed: o.seed, localViews: o.localViews, backend: o.backend, image: o.image ?? MNIST_IMAGES });
