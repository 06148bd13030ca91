/**
 * When SwAV's trainer keeps and uses its queue, main_swav.py's rule:
 *
 *   queue_length -= queue_length % batch_size             (queueRows)
 *   at an epoch ≥ epoch_queue_starts, with no queue yet:   queue = zeros(len(crops_for_assign), queue_length, feat_dim)
 *   each iteration, with a queue:                          use it once its last row is not all zero, then refill it
 *
 * so a queue exists from epoch_queue_starts on ('filling'), and its embeddings join Sinkhorn's
 * input once the batches have filled it ('used'). The queue itself is a concrete value of the
 * trainer's state (and checkpoint), as the official code saves it beside its checkpoint.
 */
import type { NDArray } from '../runtime/ndarray.js';

/** No queue, a queue being filled but not read yet, or a full queue read before Sinkhorn. */
export type QueuePhase = 'off' | 'filling' | 'used';

/** The queue's rows per assignment view: queue_length rounded down to a multiple of the batch, as main_swav.py does. */
export function queueRows(queueLength: number, batchSize: number): number {
  return queueLength - (queueLength % batchSize);
}

/** An empty queue [assign, slot, D]: zeros, as main_swav.py creates it. */
export function emptyQueue(assign: number, rows: number, featureAxis: string, features: number): NDArray {
  return { axes: ['assign', 'slot', featureAxis], sizes: [assign, rows, features], data: new Float64Array(assign * rows * features) };
}

/** True once the last row of the queue's first slice holds an embedding (main_swav.py: `not torch.all(queue[i, -1, :] == 0)` at i = 0). */
export function queueFilled(queue: NDArray): boolean {
  const [, rows, d] = queue.sizes as [number, number, number];
  return queue.data.subarray((rows - 1) * d, rows * d).some((v) => v !== 0);
}

/** The phase of the step at `epoch`, given the queue the state holds (undefined: none created yet). */
export function queuePhase(queue: NDArray | undefined, epoch: number, o: { readonly rows: number; readonly epochQueueStarts: number }): QueuePhase {
  if (o.rows === 0) return 'off';
  if (queue === undefined) return epoch >= o.epochQueueStarts ? 'filling' : 'off';
  return queueFilled(queue) ? 'used' : 'filling';
}
