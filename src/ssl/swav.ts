/**
 * SwAV's objective (main_swav.py, train()), composed from the parts:
 *
 *   W      ← normalize(W) along D          (normalizePrototypes: a parameter update, at the top of each iteration)
 *   scores = embedding · Wᵀ                 ([V·B, K], crop-major rows; embedding is L2-normalised by the model)
 *   for each assignment view c_i (crops_for_assign):
 *     out = scores of view c_i              (no gradient)
 *     with a queue: if in use, out = [queue_i · Wᵀ ; out]; then queue_i ← shift by B, insert view c_i's embedding
 *     q_i = last B rows of sinkhorn(out)
 *   loss = swappedPrediction(q, scores / τ)
 *
 * The queue is explicit state (`SwavState`): the tensor, how many rows of it
 * hold embeddings, and use_the_queue. The reference decides to use the queue
 * when its last row is not all zero; rows are filled from the top B at a
 * time, so that is when `filled` reaches the queue length (`swavQueueState`
 * reads `filled` off a concrete queue the same way). For the first
 * `freezePrototypesNiters` iterations the prototypes get no gradient (the
 * reference sets their .grad to None; `prototypesFrozen` tells the optimiser
 * to skip them).
 */
import type { Axis } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';
import { contract } from '../ops/einsum.js';
import { reshape } from '../ops/layout.js';
import { l2Normalize } from '../ops/normalization.js';
import { concat, slice } from '../ops/slicing.js';
import { full } from '../ops/sources.js';
import type { NDArray } from '../runtime/ndarray.js';
import { fromArray } from '../ops/sources.js';
import { detach, type Detached, type Differentiable, type Probs } from './cross-entropy-soft.js';
import { splitViews } from './multi-crop.js';
import { sinkhorn } from './sinkhorn.js';
import { swappedPrediction, type ViewCodes } from './swapped-prediction.js';
import { withAxes } from '../ops/with-axes.js';

/** SwAV's configuration (main_swav.py's). */
export interface SwavConfig {
  /** Views per resolution, e.g. [2, 6]: 2 global and 6 local crops. */
  readonly nmbCrops: readonly number[];
  /** The views whose codes are predicted (default [0, 1]). */
  readonly cropsForAssign?: readonly number[];
  /** τ of the swapped prediction (default 0.1). */
  readonly temperature?: number;
  /** ε of Sinkhorn (default 0.05). */
  readonly epsilon?: number;
  readonly sinkhornIterations?: number;
  /** Rows of the queue per assignment view; 0 for none (default). */
  readonly queueLength?: number;
  /** Iterations during which the prototypes get no gradient (default 0). */
  readonly freezePrototypesNiters?: number;
}

/** The queue's own axes: one slice per assignment view, `slot` rows of embeddings each. */
export type QueueTensor<D extends Axis> = Tensor<['assign', 'slot', D]>;

/** SwAV's queue of past embeddings and how much of it is filled. */
export interface SwavQueue<D extends Axis> {
  readonly queue: Detached<QueueTensor<D>>;
  /** How many rows (from the top) hold embeddings. */
  readonly filled: number;
}

/** SwAV's state: the queue and use_the_queue. */
export interface SwavState<D extends Axis> {
  /** No queue (queue_length 0, or before epoch_queue_starts). */
  readonly queue: SwavQueue<D> | undefined;
  /**
   * The reference's use_the_queue flag. The reference resets it to false at the
   * start of every epoch (a local of train()); once the queue is full the
   * last-row check turns it on again at once, so resetting is optional here.
   */
  readonly useTheQueue: boolean;
}

/** What SwAV's loss takes: the embeddings and prototypes (or precomputed scores). */
export interface SwavInputs<R extends Axis, K extends Axis, D extends Axis> {
  /**
   * The model's L2-normalised embeddings, crop-major rows [V·B, D]: the network being trained
   * (a teacher's or otherwise detached embedding is refused: its scores would carry no gradient).
   */
  readonly embedding: Differentiable<Tensor<[R, D]>>;
  /** The (normalised) prototypes [K, D]. */
  readonly prototypes: Tensor<[K, D]>;
  /**
   * The scores embedding·Wᵀ when the caller already has them (e.g. to take
   * gradients with respect to them); computed from embedding and prototypes otherwise.
   * Given scores are used as they are: freezing the prototypes is then the caller's business.
   */
  readonly scores?: Tensor<[R, K]>;
}

/** SwAV's loss, new state, scores and each assignment's codes. */
export interface SwavResult<R extends Axis, K extends Axis, D extends Axis> {
  readonly loss: Tensor<[]>;
  readonly state: SwavState<D>;
  readonly scores: Tensor<[R, K]>;
  /** Per assignment view: the scores Sinkhorn saw (queue rows first), its full output, and the codes of the batch. */
  readonly assignments: readonly {
    readonly view: number;
    readonly sinkhornInput: Detached<Tensor<[R, K]>>;
    readonly sinkhornOutput: Detached<Probs<[R, K], K>>;
    readonly codes: Detached<Probs<[R, K], K>>;
  }[];
  /** True while the prototypes are frozen: an optimiser should skip them (the reference sets their grad to None). */
  readonly prototypesFrozen: boolean;
}

/** SwAV's objective: its configuration, prototype normalisation, state and loss. */
export interface Swav {
  readonly config: Required<SwavConfig>;
  readonly views: number;
  /** W / ‖W‖ per prototype: the new prototype parameters for this iteration (no gradient: it is an update). */
  normalizePrototypes<K extends Axis, D extends Axis>(prototypes: Tensor<[K, D]>): Detached<Tensor<[K, D]>>;
  /** State without a queue (or with an empty one when queueLength > 0). */
  init<const D extends Axis>(featureAxis: D, featureSize: number): SwavState<D>;
  /** The swapped-prediction loss of one iteration, with the new queue state and what Sinkhorn saw. */
  loss<R extends Axis, K extends Axis, D extends Axis>(inputs: SwavInputs<R, K, D>, state: SwavState<D>, iteration: number): SwavResult<R, K, D>;
}

/** A queue state from a concrete queue [assign, slot, D]: `filled` counts the leading rows that are not all zero in every slice. */
export function swavQueueState<const D extends Axis>(value: NDArray, featureAxis: D): SwavQueue<D> {
  if (value.sizes.length !== 3) throw new ShapeError(`swavQueueState: a queue has three axes [assign, slot, ${featureAxis}], got ${value.sizes.length}`);
  const [a, l, d] = value.sizes as [number, number, number];
  let filled = 0;
  const rowNonZero = (i: number, r: number) => value.data.subarray((i * l + r) * d, (i * l + r + 1) * d).some((v) => v !== 0);
  while (filled < l && Array.from({ length: a }, (_, i) => rowNonZero(i, filled)).every(Boolean)) filled++;
  const queue = fromArray(value.data, ['assign', 'slot', featureAxis], [a, l, d], { name: 'queue' }) as QueueTensor<D>;
  return { queue: detach(queue), filled };
}

/** SwAV's objective from its configuration: codes by Sinkhorn (with an optional queue) predicted across views. */
export function swav(config: SwavConfig): Swav {
  const full_: Required<SwavConfig> = {
    cropsForAssign: [0, 1],
    temperature: 0.1,
    epsilon: 0.05,
    sinkhornIterations: 3,
    queueLength: 0,
    freezePrototypesNiters: 0,
    ...config,
  };
  const views = full_.nmbCrops.reduce((s, n) => s + n, 0);
  full_.cropsForAssign.forEach((c) => {
    if (!Number.isInteger(c) || c < 0 || c >= views) throw new RangeError(`swav: crop ${c} for assignment is not among the ${views} views`);
  });
  const sinkhornOptions = { iterations: full_.sinkhornIterations, epsilon: full_.epsilon };

  function loss<R extends Axis, K extends Axis, D extends Axis>(inputs: SwavInputs<R, K, D>, state: SwavState<D>, iteration: number): SwavResult<R, K, D> {
    const { embedding } = inputs;
    const [rows, dAxis] = embedding.axes as readonly [R, D];
    const kAxis = inputs.prototypes.axes[0] as K;
    if (inputs.prototypes.axes[1] !== dAxis) throw new ShapeError(`swav: prototypes [${inputs.prototypes.axes.join(', ')}] must end in the embedding's feature axis ${dAxis}`, { axis: dAxis });
    if (rows === 'slot' || rows === 'assign' || dAxis === 'slot' || dAxis === 'assign') {
      throw new ShapeError(`swav: the axis names 'slot' and 'assign' belong to the queue; rename the embedding's axes [${rows}, ${dAxis}]`, { axis: rows });
    }
    if (state.queue !== undefined && state.queue.queue.size('assign') !== full_.cropsForAssign.length) {
      throw new ShapeError(`swav: the queue has ${state.queue.queue.size('assign')} slices but there are ${full_.cropsForAssign.length} crops for assignment`, { axis: 'assign' });
    }
    const frozen = iteration < full_.freezePrototypesNiters;
    const prototypes = frozen ? (detach(inputs.prototypes) as Tensor<[K, D]>) : inputs.prototypes;
    const scores = inputs.scores ?? withAxes(contract(embedding, prototypes, dAxis), [rows, kAxis]);
    const n = embedding.size(rows);
    if (n % views !== 0) throw new ShapeError(`swav: ${n} rows do not split into ${views} views`, { axis: rows });
    const bs = n / views;
    const scoreViews = splitViews(scores, rows, views);
    const embeddingViews = splitViews(detach(embedding) as Tensor<[R, D]>, rows, views);
    const w = detach(inputs.prototypes) as Tensor<[K, D]>;

    let useTheQueue = state.useTheQueue;
    let queue = state.queue;
    const newSlices: Tensor<['slot', D]>[] = [];
    const assignments = full_.cropsForAssign.map((crop, i) => {
      let out = detach(scoreViews[crop]!) as Tensor<[R, K]>;
      if (queue !== undefined) {
        const l = queue.queue.size('slot');
        const slice_ = reshape(slice(queue.queue as QueueTensor<D>, 'assign', i, i + 1), ['slot', dAxis], [l, embedding.size(dAxis)]) as Tensor<['slot', D]>;
        if (useTheQueue || queue.filled >= l) {
          useTheQueue = true;
          const slotScores = contract(slice_, w, dAxis);
          const queueScores = reshape(slotScores, [rows, kAxis], slotScores.sizes);
          out = concat([queueScores, out], rows);
        }
        // queue[i, bs:] = queue[i, :-bs]; queue[i, :bs] = embedding of the view
        const inserted = reshape(embeddingViews[crop]!, ['slot', dAxis], embeddingViews[crop]!.sizes);
        newSlices.push(l <= bs ? slice(inserted, 'slot', 0, l) : concat([inserted, slice(slice_, 'slot', 0, l - bs)], 'slot'));
      }
      const sinkhornInput = detach(out);
      const sinkhornOutput = sinkhorn(sinkhornInput, kAxis, sinkhornOptions);
      const total = out.size(rows);
      const codes = detach(slice(sinkhornOutput as Tensor<[R, K]>, rows, total - bs, total)) as Detached<Probs<[R, K], K>>;
      return { view: crop, sinkhornInput, sinkhornOutput, codes };
    });
    if (queue !== undefined) {
      const l = queue.queue.size('slot');
      const d = embedding.size(dAxis);
      const stacked = concat(newSlices.map((s) => reshape(s, ['assign', 'slot', dAxis], [1, l, d]) as QueueTensor<D>), 'assign');
      queue = { queue: detach(stacked), filled: Math.min(l, queue.filled + bs) };
    }
    const codes: ViewCodes<R, K>[] = assignments.map((a) => ({ view: a.view, codes: a.codes }));
    const lossValue = swappedPrediction(codes, scoreViews, kAxis, full_.temperature);
    return { loss: lossValue, state: { queue, useTheQueue }, scores, assignments, prototypesFrozen: frozen };
  }

  return {
    config: full_,
    views,
    normalizePrototypes: <K extends Axis, D extends Axis>(prototypes: Tensor<[K, D]>) => detach(l2Normalize(prototypes, prototypes.axes[1] as D)),
    init: <const D extends Axis>(featureAxis: D, featureSize: number): SwavState<D> => ({
      queue:
        full_.queueLength > 0
          ? { queue: detach(full(0, ['assign', 'slot', featureAxis], [full_.cropsForAssign.length, full_.queueLength, featureSize]) as QueueTensor<D>), filled: 0 }
          : undefined,
      useTheQueue: false,
    }),
    loss,
  };
}
