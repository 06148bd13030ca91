import { strict as assert } from 'node:assert';
import type { Layer } from '../../src/nn/layer.js';
import { linear, type LinearParams } from '../../src/nn/linear.js';
import { ShapeError } from '../../src/shape/errors.js';
import { fromArray } from '../../src/ops/sources.js';
import { sum } from '../../src/ops/reduce.js';
import { trace, spec } from '../../src/ir/trace.js';
import { evaluate, run, valueOf } from '../../src/runtime/interpret.js';
import { grad } from '../../src/autodiff/grad.js';
import { key, split } from '../../src/runtime/prng.js';
import type { Tensor } from '../../src/ir/tensor.js';

const range = (n: number, scale = 1, offset = 0): number[] => Array.from({ length: n }, (_, i) => offset + i * scale);

/** Reference y[r, d] = sum_c x[r, c] w[d, c] + b[d] (PyTorch layout: weight [out, in]). */
function reference(x: readonly number[], w: readonly number[], b: readonly number[] | undefined, rows: number, c: number, d: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < d; j++) {
      let s = b === undefined ? 0 : b[j]!;
      for (let k = 0; k < c; k++) s += x[r * c + k]! * w[j * c + k]!;
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

describe('nn/linear', () => {
  const sizes = { B: 2, N: 3, C: 4, D: 5 };

  it('maps the last axis and keeps any leading axes', () => {
    const layer = linear('C', 'D');
    const params = layer.init(key(0), sizes);
    assert.deepEqual(params.weight.axes, ['D', 'C']);
    assert.deepEqual(params.weight.sizes, [5, 4]);
    assert.deepEqual(params.bias.axes, ['D']);
    assert.deepEqual(params.bias.sizes, [5]);

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

  it('initialises deterministically from the key: normal(0, 0.02) truncated at +-2 (absolute, as timm), zero bias', () => {
    const layer = linear('C', 'D');
    const big = { C: 16, D: 32 };
    const a = evaluate(layer.init(key(42), big));
    const b = evaluate(layer.init(key(42), big));
    const c = evaluate(layer.init(key(43), big));
    assert.deepEqual(Array.from(a.weight.data), Array.from(b.weight.data));
    assert.notDeepEqual(Array.from(a.weight.data), Array.from(c.weight.data));
    const [k1] = split(key(42));
    assert.notDeepEqual(Array.from(evaluate(layer.init(k1!, big)).weight.data), Array.from(a.weight.data));
    assert.equal(a.weight.data.length, 16 * 32);
    const m = a.weight.data.reduce((s, v) => s + v, 0) / a.weight.data.length;
    const sd = Math.sqrt(a.weight.data.reduce((s, v) => s + (v - m) ** 2, 0) / a.weight.data.length);
    assert.ok(Math.abs(m) < 0.005, `mean ${m}`);
    assert.ok(sd > 0.017 && sd < 0.023, `std ${sd}`);
    assert.deepEqual(Array.from(a.bias.data), new Array<number>(32).fill(0));
  });

  it('adds the bias broadcast over the leading axes', () => {
    const layer = linear('C', 'D');
    const xs = range(24, 0.5, -3);
    const ws = range(20, 0.25, -2);
    const bs = [10, 20, 30, 40, 50];
    const params = { weight: fromArray(ws, ['D', 'C'], sizes), bias: fromArray(bs, ['D'], sizes) };
    const y = layer.apply(params, fromArray(xs, ['B', 'N', 'C'], sizes));
    assertClose(valueOf(y), reference(xs, ws, bs, 6, 4, 5));
    const without = linear('C', 'D', { bias: false });
    const y0 = without.apply({ weight: params.weight }, fromArray(xs, ['B', 'N', 'C'], sizes));
    assertClose(valueOf(y0), reference(xs, ws, undefined, 6, 4, 5));
    assert.equal('bias' in without.init(key(0), sizes), false);
  });

  it('traces, runs and differentiates', () => {
    const layer = linear('C', 'D');
    const p = trace((x, weight, bias) => layer.apply({ weight, bias }, x), spec(['N', 'C'], sizes), spec(['D', 'C'], sizes), spec(['D'], sizes));
    const xs = range(12, 1, 1);
    const ws = range(20, 0.1);
    const bs = [1, 2, 3, 4, 5];
    const out = run(p, xs, ws, bs);
    assert.deepEqual(out.axes, ['N', 'D']);
    assertClose(out.data, reference(xs, ws, bs, 3, 4, 5), 1e-9);
    // d/db sum(y) = N for every output unit.
    const g = trace((x, weight, b) => grad((bias: Tensor<['D']>) => sum(layer.apply({ weight, bias }, x)))(b), spec(['N', 'C'], sizes), spec(['D', 'C'], sizes), spec(['D'], sizes));
    assertClose(run(g, xs, ws, bs).data, [3, 3, 3, 3, 3]);
  });

  it('a square projection names the weight axes [C\', C] and keeps the axis name', () => {
    const layer = linear('C', 'C');
    const params = layer.init(key(3), { C: 3 });
    assert.deepEqual(params.weight.axes, ["C'", 'C']);
    const xs = [1, 2, 3, 4, 5, 6];
    const y: Tensor<['N', 'C']> = layer.apply(params, fromArray(xs, ['N', 'C'], { N: 2, C: 3 }));
    assert.deepEqual(y.axes, ['N', 'C']);
    assertClose(valueOf(y), reference(xs, Array.from(valueOf(params.weight)), [0, 0, 0], 2, 3, 3));
  });

  it('rejects at run time what the types reject: wrong last axis, output axis already present', () => {
    const layer = linear('C', 'D');
    const params = layer.init(key(0), { C: 2, D: 3 });
    const wrong = fromArray(range(6), ['C', 'B'], { B: 3, C: 2 }) as unknown as Tensor<['B', 'C']>;
    assert.throws(() => layer.apply(params, wrong), (e: unknown) => e instanceof ShapeError && /last axis of the input to be C/.test(e.message));
    const hasD = fromArray(range(6), ['D', 'C'], { D: 3, C: 2 });
    assert.throws(() => layer.apply(params, hasD), (e: unknown) => e instanceof ShapeError && /output axis D/.test(e.message));
    assert.throws(() => layer.init(key(0), { C: 2 }), (e: unknown) => e instanceof ShapeError && /axis D/.test(e.message));
    const badSize = fromArray(range(8), ['B', 'C'], { B: 2, C: 4 });
    assert.throws(() => layer.apply(params, badSize), (e: unknown) => e instanceof ShapeError && /axis C/.test(e.message));
  });
});
