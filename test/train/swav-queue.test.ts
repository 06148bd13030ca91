import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { emptyQueue, queueFilled, queuePhase, queueRows } from '../../src/train/swav-queue.js';
import { swavQueueState } from '../../src/ssl/swav.js';
import type { NDArray } from '../../src/runtime/ndarray.js';

/** A queue after `batches` refills of `batch` rows each (main_swav.py shifts down and writes the top rows). */
function filledBy(assign: number, rows: number, d: number, batch: number, batches: number): NDArray {
  const q = emptyQueue(assign, rows, 'D', d);
  const written = Math.min(rows, batch * batches);
  for (let a = 0; a < assign; a++) for (let r = 0; r < written; r++) for (let k = 0; k < d; k++) q.data[(a * rows + r) * d + k] = 0.5 + ((r + k) % 3);
  return q;
}

describe('train/swav-queue: main_swav.py\'s rule', () => {
  it('queue_length is rounded down to a multiple of the batch', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 512 }), (length, batch) => {
        const rows = queueRows(length, batch);
        assert.equal(rows % batch, 0);
        assert.ok(rows <= length && rows > length - batch);
      }),
    );
  });

  it('no queue before epoch_queue_starts (or with queue_length 0); then filling until its last row is written; then used', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 12 }), (batch, batchesInQueue, starts, epoch, refills) => {
        const rows = batch * batchesInQueue;
        const o = { rows, epochQueueStarts: starts };
        assert.equal(queuePhase(undefined, epoch, { rows: 0, epochQueueStarts: starts }), 'off');
        assert.equal(queuePhase(undefined, epoch, o), epoch < starts ? 'off' : 'filling');
        const q = filledBy(2, rows, 3, batch, refills);
        assert.equal(queuePhase(q, epoch, o), refills >= batchesInQueue ? 'used' : 'filling');
      }),
    );
  });

  it("agrees with the queue component's own count of filled rows", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 0, max: 8 }), (batch, batchesInQueue, refills) => {
        const q = filledBy(2, batch * batchesInQueue, 4, batch, refills);
        assert.equal(queueFilled(q), swavQueueState(q, 'D').filled === batch * batchesInQueue);
      }),
    );
  });
});
