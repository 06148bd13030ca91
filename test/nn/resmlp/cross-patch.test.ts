import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { crossPatch } from '../../../src/nn/resmlp/cross-patch.js';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate, valueOf } from '../../../src/runtime/interpret.js';
import { key } from '../../../src/runtime/prng.js';
import { ShapeError } from '../../../src/shape/errors.js';
import type { Tensor } from '../../../src/ir/tensor.js';
import { assertClose, checkTreeGradient, randomArray, randomTree } from './support.js';

describe('nn/resmlp/crossPatch', () => {
  const layer = crossPatch('N');

  it('is a Linear over the token axis: weight [N\', N], bias [N], z[b,n,c] = Σ_m W[n,m] x[b,m,c] + bias[n]', () => {
    const sizes = { B: 2, N: 3, C: 4 };
    const p = randomTree(layer.init(key(0), sizes), 1);
    assert.deepEqual(p.weight.axes, ["N'", 'N']);
    assert.deepEqual(p.weight.sizes, [3, 3]);
    assert.deepEqual(p.bias.axes, ['N']);
    const xs = randomArray(['B', 'N', 'C'], [2, 3, 4], 2);
    const y: Tensor<['B', 'N', 'C']> = layer.apply(p, fromArray(xs.data, ['B', 'N', 'C'], sizes));
    assert.deepEqual(y.axes, ['B', 'N', 'C']);
    const v = evaluate(p);
    const expected: number[] = [];
    for (let b = 0; b < 2; b++)
      for (let n = 0; n < 3; n++)
        for (let c = 0; c < 4; c++) {
          let s = v.bias.data[n]!;
          for (let m = 0; m < 3; m++) s += v.weight.data[n * 3 + m]! * xs.data[(b * 3 + m) * 4 + c]!;
          expected.push(s);
        }
    assertClose(valueOf(y), expected);
  });

  it('works wherever the token axis sits', () => {
    const p = randomTree(layer.init(key(0), { N: 3 }), 3);
    const xs = randomArray(['B', 'N', 'C'], [2, 3, 2], 4);
    const y1 = valueOf(layer.apply(p, fromArray(xs.data, ['B', 'N', 'C'], xs.sizes)));
    // The same values laid out [C, B, N].
    const t = new Float64Array(12);
    for (let b = 0; b < 2; b++) for (let n = 0; n < 3; n++) for (let c = 0; c < 2; c++) t[(c * 2 + b) * 3 + n] = xs.data[(b * 3 + n) * 2 + c]!;
    const y2 = layer.apply(p, fromArray(t, ['C', 'B', 'N'], [2, 2, 3]));
    assert.deepEqual(y2.axes, ['C', 'B', 'N']);
    const v2 = valueOf(y2);
    for (let b = 0; b < 2; b++) for (let n = 0; n < 3; n++) for (let c = 0; c < 2; c++) assert.ok(Math.abs(v2[(c * 2 + b) * 3 + n]! - y1[(b * 3 + n) * 2 + c]!) < 1e-14);
  });

  it('mixes tokens and never channels: perturbing channel c of any token changes only channel c of the outputs (property)', () => {
    fc.assert(
      fc.property(
        fc.record({ B: fc.integer({ min: 1, max: 3 }), N: fc.integer({ min: 1, max: 5 }), C: fc.integer({ min: 1, max: 5 }), seed: fc.nat(1000), delta: fc.double({ min: 0.1, max: 3, noNaN: true }) }).chain((s) =>
          fc.record({ s: fc.constant(s), b: fc.nat(s.B - 1), n: fc.nat(s.N - 1), c: fc.nat(s.C - 1) }),
        ),
        ({ s, b, n, c }) => {
          const p = randomTree(layer.init(key(s.seed), s), s.seed + 1);
          const xs = randomArray(['B', 'N', 'C'], [s.B, s.N, s.C], s.seed + 2);
          const moved = Float64Array.from(xs.data);
          moved[(b * s.N + n) * s.C + c]! += s.delta;
          const y0 = valueOf(layer.apply(p, fromArray(xs.data, ['B', 'N', 'C'], s)));
          const y1 = valueOf(layer.apply(p, fromArray(moved, ['B', 'N', 'C'], s)));
          for (let bb = 0; bb < s.B; bb++)
            for (let nn = 0; nn < s.N; nn++)
              for (let cc = 0; cc < s.C; cc++) {
                const i = (bb * s.N + nn) * s.C + cc;
                if (cc !== c || bb !== b) assert.equal(y1[i], y0[i], `output [${bb}, ${nn}, ${cc}] changed`);
              }
          // ... and channel c of sample b moves by W[:, n]·delta: all its tokens see the change.
          const w = valueOf(p.weight);
          for (let nn = 0; nn < s.N; nn++) {
            const i = (b * s.N + nn) * s.C + c;
            assert.ok(Math.abs(y1[i]! - y0[i]! - w[nn * s.N + n]! * s.delta) < 1e-12);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('has gradients that match finite differences (property, few runs)', () => {
    fc.assert(
      fc.property(fc.record({ B: fc.integer({ min: 1, max: 2 }), N: fc.integer({ min: 1, max: 4 }), C: fc.integer({ min: 1, max: 3 }), seed: fc.nat(1000) }), (s) => {
        const p = randomTree(layer.init(key(s.seed), s), s.seed);
        const r = checkTreeGradient((t, x) => layer.apply(t, x), p, randomArray(['B', 'N', 'C'], [s.B, s.N, s.C], s.seed + 7));
        assert.ok(r.ok, r.message);
      }),
      { numRuns: 5 },
    );
  });

  it('initialises deterministically from the key: truncated normal std 0.02, zero bias', () => {
    const a = evaluate(layer.init(key(5), { N: 40 }));
    const b = evaluate(layer.init(key(5), { N: 40 }));
    const c = evaluate(layer.init(key(6), { N: 40 }));
    assert.deepEqual(a, b);
    assert.notDeepEqual(Array.from(a.weight.data), Array.from(c.weight.data));
    const w = a.weight.data;
    const sd = Math.sqrt(w.reduce((s, v) => s + v * v, 0) / w.length);
    assert.ok(sd > 0.017 && sd < 0.023, `std ${sd}`);
    assert.ok(a.bias.data.every((v) => v === 0));
  });

  it('rejects inputs without the token axis and wrongly named weights', () => {
    const p = layer.init(key(0), { N: 3 });
    assert.throws(() => layer.apply(p, fromArray([1, 2, 3], ['C'], [3])), ShapeError);
    assert.throws(() => layer.apply({ weight: fromArray(new Array(9).fill(0), ['N', 'M'], [3, 3]) as never, bias: p.bias }, fromArray([1, 2, 3], ['N'], [3])), /weight must have axes \[N', N\]/);
    assert.throws(() => layer.apply(p, fromArray([1, 2, 3, 4], ['N'], [4])), ShapeError);
    assert.throws(() => layer.init(key(0), {}), /token axis N/);
  });
});
