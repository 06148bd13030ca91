/**
 * The two-spirals demo of `shapegrad demo` (src/cli/demo.ts) on a compiled
 * backend: a two-layer GELU network, one traced SGD step (forward, backward,
 * update) compiled once, and a second program that evaluates the network on a
 * grid of points to draw its decision boundary as it learns.
 */
import * as sg from 'shapegrad';
import type { NDArray, Tensor } from 'shapegrad';
import { spirals } from '../../dist/src/cli/demo.js';
import type { BackendName } from './protocol.js';

interface Params<T> {
  readonly w1: T;
  readonly b1: T;
  readonly w2: T;
  readonly b2: T;
}
type TensorParams = { w1: Tensor<['F', 'H']>; b1: Tensor<['H']>; w2: Tensor<['H', 'K']>; b2: Tensor<['K']> };

function forward(p: TensorParams, x: Tensor<['N', 'F']>): Tensor<['N', 'K']> {
  const n = x.size('N');
  const h = sg.gelu(sg.add(sg.einsum('N F, F H -> N H', x, p.w1), sg.broadcast(p.b1, ['N', 'H'], { N: n, H: p.b1.size('H') })));
  return sg.add(sg.einsum('N H, H K -> N K', h, p.w2), sg.broadcast(p.b2, ['N', 'K'], { N: n, K: p.b2.size('K') }));
}

export interface SpiralsOptions {
  readonly hidden: number;
  readonly learningRate: number;
  readonly backend: BackendName;
  /** Points per spiral (default 100, as `shapegrad demo`). */
  readonly perClass?: number;
  /** Grid points per side of the decision-boundary picture (default 48). */
  readonly side?: number;
}

export function spiralsProblem(o: SpiralsOptions) {
  const perClass = o.perClass ?? 100;
  const side = o.side ?? 48;
  const extent = 3.3; // the spirals reach radius 3
  const N = 2 * perClass;
  const H = o.hidden;
  const data = spirals(1, perClass);
  const paramSpecs = (s: ReturnType<typeof sg.bindSizes>) => ({ w1: s(['F', 'H']), b1: s(['H']), w2: s(['H', 'K']), b2: s(['K']) });

  const s = sg.bindSizes({ N, F: 2, H, K: 2 });
  const stepProgram = sg.trace(
    (p: TensorParams, x: Tensor<['N', 'F']>, y: Tensor<['N']>) => {
      const [loss, g] = sg.valueAndGrad((q: TensorParams) => sg.crossEntropy(forward(q, x), y, 'K'))(p);
      const update = <S extends string[]>(w: Tensor<S>, dw: Tensor<S>) => sg.sub(w, sg.mul(dw, o.learningRate));
      return { loss, logits: forward(p, x), params: { w1: update(p.w1, g.w1), b1: update(p.b1, g.b1), w2: update(p.w2, g.w2), b2: update(p.b2, g.b2) } };
    },
    paramSpecs(s) as never,
    s(['N', 'F'], 'x'),
    s(['N'], 'y'),
  );
  const M = side * side;
  const g = sg.bindSizes({ N: M, F: 2, H, K: 2 });
  const gridProgram = sg.trace((p: TensorParams, x: Tensor<['N', 'F']>) => forward(p, x), paramSpecs(g) as never, g(['N', 'F'], 'grid'));
  const compiled = sg.compile(stepProgram, { backend: o.backend });
  const gridCompiled = sg.compile(gridProgram, { backend: o.backend });

  // Grid points, row by row from the top (y = +extent) to the bottom.
  const gridPoints = new Float64Array(2 * M);
  for (let r = 0; r < side; r++) {
    for (let c = 0; c < side; c++) {
      gridPoints[2 * (r * side + c)] = -extent + ((c + 0.5) / side) * 2 * extent;
      gridPoints[2 * (r * side + c) + 1] = extent - ((r + 0.5) / side) * 2 * extent;
    }
  }

  return {
    compiled,
    points: data.x,
    labels: data.y,
    extent,
    side,
    /** The same initialisation as `shapegrad demo`. */
    init(): Params<NDArray> {
      const [k1, k2] = sg.random.split(sg.random.key(0));
      const nd = (axes: string[], sizes: number[], values: Float64Array): NDArray => ({ axes, sizes, data: values });
      return {
        w1: nd(['F', 'H'], [2, H], sg.random.normal(k1!, 2 * H)),
        b1: nd(['H'], [H], new Float64Array(H)),
        w2: nd(['H', 'K'], [H, 2], sg.random.normal(k2!, H * 2).map((v) => v * Math.sqrt(1 / H))),
        b2: nd(['K'], [2], new Float64Array(2)),
      };
    },
    /** One SGD step on all the points: the loss and the training accuracy before it, and the new parameters. */
    async step(params: Params<NDArray>): Promise<{ loss: number; accuracy: number; params: Params<NDArray> }> {
      const out = (await compiled.run(params as never, data.x as never, data.y as never)) as unknown as { loss: NDArray; logits: NDArray; params: Params<NDArray> };
      let correct = 0;
      for (let i = 0; i < N; i++) if ((out.logits.data[2 * i + 1]! > out.logits.data[2 * i]! ? 1 : 0) === data.y[i]) correct++;
      return { loss: out.loss.data[0]!, accuracy: correct / N, params: out.params };
    },
    /** p(class 1) at each grid point, row by row from the top. */
    async grid(params: Params<NDArray>): Promise<Float64Array> {
      const logits = ((await gridCompiled.run(params as never, gridPoints as never)) as unknown as NDArray).data;
      const p = new Float64Array(M);
      for (let i = 0; i < M; i++) p[i] = 1 / (1 + Math.exp(logits[2 * i]! - logits[2 * i + 1]!));
      return p;
    },
    destroy() {
      compiled.destroy();
      gridCompiled.destroy();
    },
  };
}
