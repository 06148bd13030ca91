import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { optimizerNames, trainOptimizer } from '../../src/train/optimizer-choice.js';
import { fromArray } from '../../src/ops/sources.js';
import { evaluate } from '../../src/runtime/interpret.js';

const norm = (x: readonly number[]) => Math.hypot(...x);

/**
 * The first step of each optimiser on one [2, 3] weight, against the formulas:
 * sgd  w - lr·(g + wd·w)                       (torch's SGD: the first momentum buffer is the gradient)
 * lars w - lr·a·(g + wd·w), a = 0.001·‖w‖/(‖g‖ + wd·‖w‖ + 1e-8)   (apex LARC without clipping)
 * adamw w·(1 - lr·wd) - lr·g/(|g| + 1e-8)      (bias-corrected first moments: m̂ = g, v̂ = g²)
 */
function expected(name: string, w: number[], g: number[], lr: number, wd: number): number[] {
  if (name === 'sgd') return w.map((v, i) => v - lr * (g[i]! + wd * v));
  if (name === 'lars') {
    const a = (0.001 * norm(w)) / (norm(g) + wd * norm(w) + 1e-8);
    return w.map((v, i) => v - lr * a * (g[i]! + wd * v));
  }
  return w.map((v, i) => v * (1 - lr * wd) - (lr * g[i]!) / (Math.abs(g[i]!) + 1e-8));
}

describe('train/optimizer-choice: --optimizer', () => {
  it('each name builds that optimiser: its first step follows its formula', () => {
    const value = fc.double({ min: -2, max: 2, noNaN: true }).filter((v) => Math.abs(v) > 1e-3);
    fc.assert(
      fc.property(fc.constantFrom(...optimizerNames), fc.array(value, { minLength: 6, maxLength: 6 }), fc.array(value, { minLength: 6, maxLength: 6 }), fc.double({ min: 1e-4, max: 1, noNaN: true }), fc.constantFrom(0, 1e-6, 1e-2), (name, w, g, lr, wd) => {
        const opt = trainOptimizer(name, wd);
        const params = { weight: fromArray(Float64Array.from(w), ['K', 'D'], [2, 3]) };
        const grads = { weight: fromArray(Float64Array.from(g), ['K', 'D'], [2, 3]) };
        const out = evaluate(opt.step(params, grads, opt.init(params), lr).params);
        const want = expected(name, w, g, lr, wd);
        out.weight.data.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-9 * Math.max(1, Math.abs(want[i]!)), `${name}[${i}]: ${v} vs ${want[i]}`));
      }),
      { numRuns: 60 },
    );
  });

  it("PAWS' LARS leaves biases and one-axis parameters alone (no trust ratio, no decay) and keeps the rate in the momentum buffer", () => {
    const value = fc.double({ min: -2, max: 2, noNaN: true }).filter((v) => Math.abs(v) > 1e-3);
    fc.assert(
      fc.property(fc.array(value, { minLength: 9, maxLength: 9 }), fc.array(value, { minLength: 9, maxLength: 9 }), fc.double({ min: 1e-4, max: 1, noNaN: true }), fc.constantFrom(1e-6, 1e-2), (w, g, lr, wd) => {
        const opt = trainOptimizer('lars', wd, 'paws');
        const params = { weight: fromArray(Float64Array.from(w.slice(0, 6)), ['K', 'D'], [2, 3]), bias: fromArray(Float64Array.from(w.slice(6)), ['K'], [3]) };
        const grads = { weight: fromArray(Float64Array.from(g.slice(0, 6)), ['K', 'D'], [2, 3]), bias: fromArray(Float64Array.from(g.slice(6)), ['K'], [3]) };
        const out = evaluate(opt.step(params, grads, opt.init(params), lr).params);
        const want = [...expected('lars', w.slice(0, 6), g.slice(0, 6), lr, wd), ...w.slice(6).map((v, i) => v - lr * g[6 + i]!)];
        [...out.weight.data, ...out.bias.data].forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-9 * Math.max(1, Math.abs(want[i]!)), `[${i}]: ${v} vs ${want[i]}`));
      }),
      { numRuns: 40 },
    );
  });
});
