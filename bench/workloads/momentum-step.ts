/**
 * A small training step, SGD with momentum on a two-layer tanh network, whose host side is a large
 * share of a call: the loss, the new parameters and the new momenta (the carried-state workload of
 * bench/calls.ts, and the program of test/compile/wasm/carry.test.ts).
 */
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

export type Params = { readonly w1: Tensor<['C', 'H']>; readonly w2: Tensor<['H', 'D']> };

/** One step with learning rate `lr` over a batch of b: x [B, C], y [B, D], hidden width h. */
export function momentumStep(b: number, c: number, h: number, d: number, lr: number) {
  const params = { w1: sg.spec(['C', 'H'], [c, h], 'w1'), w2: sg.spec(['H', 'D'], [h, d], 'w2') };
  const momenta = { w1: sg.spec(['C', 'H'], [c, h], 'm1'), w2: sg.spec(['H', 'D'], [h, d], 'm2') };
  return sg.trace(
    (p: Params, m: Params, x: Tensor<['B', 'C']>, y: Tensor<['B', 'D']>) => {
      const loss = (q: Params) => {
        const e = sg.sub(sg.einsum('B H, H D -> B D', sg.tanh(sg.einsum('B C, C H -> B H', x, q.w1)), q.w2), y);
        return sg.mean(sg.mul(e, e));
      };
      const [value, g] = sg.valueAndGrad(loss)(p);
      const m1 = sg.add(sg.mul(m.w1, 0.9), g.w1);
      const m2 = sg.add(sg.mul(m.w2, 0.9), g.w2);
      return { loss: value, params: { w1: sg.sub(p.w1, sg.mul(m1, lr)), w2: sg.sub(p.w2, sg.mul(m2, lr)) }, momenta: { w1: m1, w2: m2 } };
    },
    params,
    momenta,
    sg.spec(['B', 'C'], [b, c], 'x'),
    sg.spec(['B', 'D'], [b, d], 'y'),
  );
}
