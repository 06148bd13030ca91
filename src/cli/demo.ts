/**
 * The core demonstration `npm start` runs until the training command exists:
 * a two-layer GELU network learns to separate two interleaved spirals. One
 * training step (forward, backward, SGD update) is traced once into a graph
 * and then run repeatedly on the float64 reference interpreter.
 */
import * as sg from '../index.js';
import type { Tensor } from '../index.js';
import { key, split, normal, uniform } from '../runtime/prng.js';

interface Params {
  w1: Tensor<['F', 'H']>;
  b1: Tensor<['H']>;
  w2: Tensor<['H', 'K']>;
  b2: Tensor<['K']>;
}

/** Two spirals: class k at angle t + k*pi, radius t, with a little noise. */
export function spirals(seed: number, perClass: number): { x: Float64Array; y: Float64Array } {
  const [kt, kn] = split(key(seed));
  const t = uniform(kt!, 2 * perClass, 0.25, 2 * Math.PI);
  const noise = normal(kn!, 4 * perClass);
  const x = new Float64Array(4 * perClass);
  const y = new Float64Array(2 * perClass);
  for (let i = 0; i < 2 * perClass; i++) {
    const k = i % 2;
    const angle = t[i]! + k * Math.PI;
    const r = t[i]! / (2 * Math.PI);
    x[2 * i] = 3 * r * Math.cos(angle) + 0.02 * noise[2 * i]!;
    x[2 * i + 1] = 3 * r * Math.sin(angle) + 0.02 * noise[2 * i + 1]!;
    y[i] = k;
  }
  return { x, y };
}

function forward(p: Params, x: Tensor<['N', 'F']>): Tensor<['N', 'K']> {
  const h = sg.gelu(sg.add(sg.einsum('N F, F H -> N H', x, p.w1), sg.broadcast(p.b1, ['N', 'H'], { N: x.size('N'), H: p.b1.size('H') })));
  return sg.add(sg.einsum('N H, H K -> N K', h, p.w2), sg.broadcast(p.b2, ['N', 'K'], { N: x.size('N'), K: p.b2.size('K') }));
}

export interface DemoOptions {
  readonly steps: number;
  readonly hidden: number;
  readonly perClass: number;
  readonly learningRate: number;
  readonly log: (line: string) => void;
}

export function runDemo(options: DemoOptions): { losses: number[]; accuracy: number } {
  const { steps, hidden: H, perClass, learningRate, log } = options;
  const N = 2 * perClass;
  const sizes = { N, F: 2, H, K: 2 };
  const s = sg.bindSizes(sizes);
  const paramSpecs = { w1: s(['F', 'H']), b1: s(['H']), w2: s(['H', 'K']), b2: s(['K']) };

  // One SGD step as one traced program: (params, x, y) -> (loss, new params).
  const step = sg.trace(
    (p, x, y) => {
      const loss = (q: Params) => sg.crossEntropy(forward(q, x), y, 'K');
      const [value, g] = sg.valueAndGrad(loss)(p);
      const update = <S extends string[]>(w: Tensor<S>, dw: Tensor<S>) => sg.sub(w, sg.mul(dw, learningRate));
      return { loss: value, params: { w1: update(p.w1, g.w1), b1: update(p.b1, g.b1), w2: update(p.w2, g.w2), b2: update(p.b2, g.b2) } };
    },
    paramSpecs,
    s(['N', 'F'], 'x'),
    s(['N'], 'y'),
  );
  const optimised = { ...step, graph: sg.cse(sg.dce(step.graph)) };
  log(`traced one training step: ${step.graph.nodes.length} nodes, ${optimised.graph.nodes.length} after DCE and CSE`);

  const [k1, k2] = split(key(0));
  let params = {
    w1: normal(k1!, 2 * H).map((v) => v * Math.sqrt(2 / 2)),
    b1: new Float64Array(H),
    w2: normal(k2!, H * 2).map((v) => v * Math.sqrt(1 / H)),
    b2: new Float64Array(2),
  };
  const data = spirals(1, perClass);
  const losses: number[] = [];
  const started = Date.now();
  for (let i = 0; i <= steps; i++) {
    const out = sg.run(optimised, params, data.x, data.y);
    losses.push(out.loss.data[0]!);
    if (i % Math.max(1, Math.floor(steps / 10)) === 0 || i === steps) {
      log(`step ${String(i).padStart(4)}  loss ${out.loss.data[0]!.toFixed(4)}  ${bar(out.loss.data[0]! / losses[0]!)}`);
    }
    params = { w1: Float64Array.from(out.params.w1.data), b1: Float64Array.from(out.params.b1.data), w2: Float64Array.from(out.params.w2.data), b2: Float64Array.from(out.params.b2.data) };
  }
  const logits = sg.evaluate(
    forward(
      {
        w1: sg.fromArray(params.w1, ['F', 'H'], sizes),
        b1: sg.fromArray(params.b1, ['H'], sizes),
        w2: sg.fromArray(params.w2, ['H', 'K'], sizes),
        b2: sg.fromArray(params.b2, ['K'], sizes),
      },
      sg.fromArray(data.x, ['N', 'F'], sizes),
    ),
  ).data;
  let correct = 0;
  for (let i = 0; i < N; i++) if ((logits[2 * i + 1]! > logits[2 * i]! ? 1 : 0) === data.y[i]) correct++;
  const accuracy = correct / N;
  log(`training accuracy ${(100 * accuracy).toFixed(1)}% on ${N} points after ${steps} steps (${((Date.now() - started) / 1000).toFixed(1)} s, float64 reference interpreter)`);
  return { losses, accuracy };
}

function bar(fraction: number): string {
  const width = 30;
  const n = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `${'#'.repeat(n)}${'.'.repeat(width - n)}`;
}
