import { strict as assert } from 'node:assert';
import { linear, type Layer, type LinearParams } from '../../src/nn/layer.js';
import { ShapeError } from '../../src/shape/errors.js';
import { fromArray } from '../../src/ops/sources.js';
import { sum } from '../../src/ops/reduce.js';
import { trace, spec } from '../../src/ir/trace.js';
import { evaluate, run, valueOf } from '../../src/runtime/interpret.js';
import { grad } from '../../src/autodiff/grad.js';
import { key, split } from '../../src/runtime/prng.js';
import type { Tensor } from '../../src/ir/tensor.js';

const range = (n: number, scale = 1, offset = 0): number[] => Array.from({ length: n }, (_, i) => offset + i * scale);

/** Reference y[r, d] = sum_c x[r, c] w[c, d] + b[d] on row-major data with the contracted axis last. */
function reference(x: readonly number[], w: readonly number[], b: readonly number[] | undefined, rows: number, c: number, d: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) {
      let s = b === undefined ? 0 : b[j]!;
      for (let k = 0; k < c; k++) s += x[r * c + k]! * w[k * d + j]!;
      out.push(s);
    }
  }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-12): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tol, `element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
}

describe('nn/layer: linear', () => {
  const sizes = { B: 2, N: 3, C: 4, D: 5 };

  it('maps the last axis and keeps any leading axes', () => {
    const layer = linear('C', 'D');
    const params = layer.init(key(0), sizes);
    assert.deepEqual(params.w.axes, ['C', 'D']);
    assert.deepEqual(params.w.sizes, [4, 5]);
    assert.deepEqual(params.b.axes, ['D']);
    assert.deepEqual(params.b.sizes, [5]);

    const x3 = fromArray(range(24, 0.1), ['B', 'N', 'C'], sizes);
    const y3: Tensor<['B', 'N', 'D']> = layer.apply(params, x3);
    assert.deepEqual(y3.axes, ['B', 'N', 'D']);
    assert.deepEqual(y3.sizes, [2, 3, 5]);
    assert.equal(valueOf(y3).length, 30);

    const x2 = fromArray(range(8), ['B', 'C'], sizes);
    const y2: Tensor<['B', 'D']> = layer.apply(params, x2);
    assert.deepEqual(y2.axes, ['B', 'D']);
    assert.deepEqual(y2.sizes, [2, 5]);

    const x1 = fromArray(range(4), ['C'], sizes);
    const y1: Tensor<['D']> = layer.apply(params, x1);
    assert.deepEqual(y1.axes, ['D']);
  });

  it('is a Layer for a fixed input shape', () => {
    const layer: Layer<LinearParams<'C', 'D'>, ['B', 'N', 'C'], ['B', 'N', 'D']> = linear('C', 'D');
    const y = layer.apply(layer.init(key(1), sizes), fromArray(range(24), ['B', 'N', 'C'], sizes));
    assert.deepEqual(y.axes, ['B', 'N', 'D']);
  });

  it('initialises deterministically from the key: truncated normal * 0.02 weights, zero bias', () => {
    const layer = linear('C', 'D');
    const big = { C: 16, D: 32 };
    const a = evaluate(layer.init(key(42), big));
    const b = evaluate(layer.init(key(42), big));
    const c = evaluate(layer.init(key(43), big));
    assert.deepEqual(Array.from(a.w.data), Array.from(b.w.data));
    assert.notDeepEqual(Array.from(a.w.data), Array.from(c.w.data));
    const [k1] = split(key(42));
    assert.notDeepEqual(Array.from(evaluate(layer.init(k1!, big)).w.data), Array.from(a.w.data));
    assert.equal(a.w.data.length, 16 * 32);
    for (const v of a.w.data) assert.ok(Math.abs(v) <= 2 * 0.02 + 1e-15, `weight ${v} outside the truncation at 2 std`);
    const m = a.w.data.reduce((s, v) => s + v, 0) / a.w.data.length;
    const sd = Math.sqrt(a.w.data.reduce((s, v) => s + (v - m) ** 2, 0) / a.w.data.length);
    assert.ok(Math.abs(m) < 0.005, `mean ${m}`);
    assert.ok(sd > 0.012 && sd < 0.025, `std ${sd}`); // truncated at 2 std: about 0.88 * 0.02
    assert.deepEqual(Array.from(a.b.data), new Array<number>(32).fill(0));
  });

  it('adds the bias broadcast over the leading axes', () => {
    const layer = linear('C', 'D');
    const xs = range(24, 0.5, -3);
    const ws = range(20, 0.25, -2);
    const bs = [10, 20, 30, 40, 50];
    const params = { w: fromArray(ws, ['C', 'D'], sizes), b: fromArray(bs, ['D'], sizes) };
    const y = layer.apply(params, fromArray(xs, ['B', 'N', 'C'], sizes));
    assertClose(valueOf(y), reference(xs, ws, bs, 6, 4, 5));
    const without = linear('C', 'D', { bias: false });
    const y0 = without.apply({ w: params.w }, fromArray(xs, ['B', 'N', 'C'], sizes));
    assertClose(valueOf(y0), reference(xs, ws, undefined, 6, 4, 5));
    assert.equal('b' in without.init(key(0), sizes), false);
  });

  it('traces, runs and differentiates', () => {
    const layer = linear('C', 'D');
    const p = trace((x, w, b) => layer.apply({ w, b }, x), spec(['N', 'C'], sizes), spec(['C', 'D'], sizes), spec(['D'], sizes));
    const xs = range(12, 1, 1);
    const ws = range(20, 0.1);
    const bs = [1, 2, 3, 4, 5];
    const out = run(p, xs, ws, bs);
    assert.deepEqual(out.axes, ['N', 'D']);
    assertClose(out.data, reference(xs, ws, bs, 3, 4, 5), 1e-9);
    // d/db sum(y) = N for every output unit.
    const g = trace((x, w, b) => grad((b: Tensor<['D']>) => sum(layer.apply({ w, b }, x)))(b), spec(['N', 'C'], sizes), spec(['C', 'D'], sizes), spec(['D'], sizes));
    assertClose(run(g, xs, ws, bs).data, [3, 3, 3, 3, 3]);
  });

  it('rejects at run time what the types reject: wrong last axis, output axis already present, same axes', () => {
    const layer = linear('C', 'D');
    const params = layer.init(key(0), { C: 2, D: 3 });
    const wrong = fromArray(range(6), ['C', 'B'], { B: 3, C: 2 }) as unknown as Tensor<['B', 'C']>;
    assert.throws(() => layer.apply(params, wrong), (e: unknown) => e instanceof ShapeError && /last axis of the input to be C/.test(e.message));
    const hasD = fromArray(range(6), ['D', 'C'], { D: 3, C: 2 });
    assert.throws(() => layer.apply(params, hasD), (e: unknown) => e instanceof ShapeError && /output axis D/.test(e.message));
    assert.throws(() => (linear as (i: string, o: string) => unknown)('C', 'C'), ShapeError); // rejected by the types too
    assert.throws(() => layer.init(key(0), { C: 2 }), (e: unknown) => e instanceof ShapeError && /axis D/.test(e.message));
    const badSize = fromArray(range(8), ['B', 'C'], { B: 2, C: 4 });
    assert.throws(() => layer.apply(params, badSize), (e: unknown) => e instanceof ShapeError && /axis C/.test(e.message));
  });
});
