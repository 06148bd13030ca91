/**
 * The pieces together, the way a training loop uses them: a toy "training"
 * (deterministic updates driven by a PRNG key) checkpoints every few steps;
 * killed mid-way and resumed, it ends with the same metrics file and the same
 * tensors, bit for bit, as a run that was never interrupted.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NDArray } from '../../src/runtime/ndarray.js';
import { key as makeKey, normal, split, type Key } from '../../src/runtime/prng.js';
import { flattenToTensors, readCheckpoint, unflattenFromTensors, writeCheckpoint } from '../../src/train/checkpoint.js';
import { appendMetrics, readMetrics, truncateMetrics } from '../../src/train/metrics.js';
import { openRunDir } from '../../src/train/run-dir.js';
import { useTmpDir } from './tmp.js';

interface State {
  params: { w: NDArray; b: NDArray };
  opt: { m: { w: NDArray; b: NDArray } };
  objective: { center: NDArray };
}

const init = (): State => ({
  params: { w: { axes: ['C', 'D'], sizes: [2, 3], data: new Float64Array(6).fill(0.5) }, b: { axes: ['D'], sizes: [3], data: new Float64Array(3) } },
  opt: { m: { w: { axes: ['C', 'D'], sizes: [2, 3], data: new Float64Array(6) }, b: { axes: ['D'], sizes: [3], data: new Float64Array(3) } } },
  objective: { center: { axes: ['K'], sizes: [4], data: new Float64Array(4) } },
});

/** One deterministic "step": noisy momentum updates from the key. */
function step(s: State, k: Key): State {
  const upd = (x: NDArray, noise: Float64Array, f: (v: number, n: number) => number): NDArray => ({ ...x, data: x.data.map((v, i) => f(v, noise[i]!)) });
  const n = normal(k, 6);
  const m = { w: upd(s.opt.m.w, n, (v, g) => 0.9 * v + g), b: upd(s.opt.m.b, n, (v, g) => 0.9 * v + g / 3) };
  return {
    params: { w: upd(s.params.w, m.w.data, (v, g) => v - 0.01 * g), b: upd(s.params.b, m.b.data, (v, g) => v - 0.01 * g) },
    opt: { m },
    objective: { center: upd(s.objective.center, n, (v, g) => 0.9 * v + 0.1 * g) },
  };
}

const identity = { method: 'toy', model: 'tiny', dataset: 'none', config: { steps: 20 } };

/** Train until `steps`, checkpointing every 4 steps; `killAt` throws after logging that step. */
function train(dir: string, steps: number, options: { resume?: boolean; killAt?: number } = {}): void {
  const run = openRunDir(dir, identity, { resume: options.resume ?? false });
  let state = init();
  let k = makeKey(7);
  let first = 1;
  if (run.hasCheckpoint) {
    const ckpt = readCheckpoint(run.paths.checkpoint, identity);
    state = unflattenFromTensors(init(), ckpt.tensors);
    k = ckpt.key;
    first = ckpt.step + 1;
    truncateMetrics(run.paths.metrics, ckpt.step);
  } else {
    truncateMetrics(run.paths.metrics, -1);
    appendMetrics(run.paths.metrics, { step: 0, kind: 'eval', score: state.params.w.data[0]! });
  }
  for (let s = first; s <= steps; s++) {
    const [next, sub] = split(k);
    state = step(state, sub!);
    k = next!;
    appendMetrics(run.paths.metrics, { step: s, kind: 'train', loss: state.params.w.data.reduce((a, b) => a + b * b, 0) });
    if (s % 4 === 0) {
      writeCheckpoint(run.paths.checkpoint, { ...identity, step: s, epoch: 0, key: k, tensors: flattenToTensors(state), metrics: readMetrics(run.paths.metrics).slice(-5) });
    }
    if (s === options.killAt) throw new Error('killed');
  }
}

describe('train: kill and resume', () => {
  const tmp = useTmpDir();

  it('ends with the same metrics and tensors as an uninterrupted run', () => {
    const straight = join(tmp(), 'straight');
    const resumed = join(tmp(), 'resumed');
    train(straight, 20);
    assert.throws(() => train(resumed, 20, { killAt: 10 }), /killed/); // last checkpoint at 8, metrics up to 10
    assert.throws(() => train(resumed, 20), /already holds a run/);
    train(resumed, 20, { resume: true });
    assert.equal(readFileSync(join(resumed, 'metrics.jsonl'), 'utf8'), readFileSync(join(straight, 'metrics.jsonl'), 'utf8'));
    assert.equal(readFileSync(join(resumed, 'checkpoint.json'), 'utf8'), readFileSync(join(straight, 'checkpoint.json'), 'utf8'));
    assert.equal(readMetrics(join(resumed, 'metrics.jsonl')).length, 21);
  });
});
