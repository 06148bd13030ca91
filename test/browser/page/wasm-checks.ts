/**
 * The native wasm backend's checks, run the same way on the page's main thread
 * and in a dedicated Worker: a program with a matmul whose sizes are not
 * multiples of the tile, a softmax, a layer norm and a gradient (as
 * test/compile/wasm/threads.test.ts), on several threads, against one thread
 * (bit-identical) and against the float64 reference (float32 tolerance).
 */
import * as sg from '../../../src/index.js';
import type { NDArray, Tensor } from '../../../src/index.js';

export const threadProgram = sg.trace(
  (x: Tensor<['I', 'K']>, w: Tensor<['K', 'J']>) => {
    const loss = (ws: Tensor<['K', 'J']>) => sg.sum(sg.mul(sg.layerNorm(sg.gelu(sg.einsum('I K, K J -> I J', x, ws)), 'J'), sg.softmax(sg.einsum('I K, K J -> I J', x, ws), 'I')));
    return sg.valueAndGrad(loss)(w);
  },
  sg.spec(['I', 'K'], [37, 64], 'x'),
  sg.spec(['K', 'J'], [64, 36], 'w'),
);

export const inputsFor = (k: number): [Float32Array, Float32Array] => [
  Float32Array.from({ length: 37 * 64 }, (_, i) => Math.sin(i * 0.31 + k)),
  Float32Array.from({ length: 64 * 36 }, (_, i) => Math.cos(i * 0.17 - k) * 0.2),
];

/** Every kernel split over every thread (so each thread surely computes part of the result). */
export const everySplit = { splitMin: 0, syncCost: 0 };

const flat = (xs: readonly NDArray[]): Float64Array => Float64Array.from(xs.flatMap((x) => Array.from(x.data)));

/** The largest error over the tensors' elements, each relative to its tensor's largest reference magnitude. */
export function scaledError(got: readonly NDArray[], want: readonly NDArray[]): number {
  let worst = 0;
  want.forEach((w, t) => {
    const g = got[t]!;
    if (g.data.length !== w.data.length) throw new Error(`output ${t}: ${g.data.length} values where ${w.data.length} were expected`);
    const scale = Math.max(1e-2, ...Array.from(w.data, Math.abs));
    w.data.forEach((v, i) => {
      const e = Math.abs(g.data[i]! - v) / scale;
      worst = Number.isNaN(e) ? Infinity : Math.max(worst, e);
    });
  });
  return worst;
}

export const identical = (a: readonly NDArray[], b: readonly NDArray[]): boolean => {
  const x = flat(a);
  const y = flat(b);
  return x.length === y.length && x.every((v, i) => Object.is(v, y[i]));
};

export interface WasmCheck {
  readonly where: string;
  readonly threads: number;
  readonly dispatch: string;
  readonly executorKind: string;
  readonly fallbackReason: string | null;
  /** Largest error against the float64 reference, relative to each tensor's largest magnitude. */
  readonly error: number;
  /** Whether every call gave exactly the one-thread result. */
  readonly sameAsOneThread: boolean;
  /** Concurrent calls with different inputs: each one's error against its own reference. */
  readonly concurrentErrors: readonly number[];
  readonly crossOriginIsolated: boolean;
  readonly ms: number;
}

/**
 * Compile the program on the native backend with these options, run it three times (and
 * four calls at once, each with its own inputs), and report how it compares.
 */
export async function checkWasm(where: string, wasm: { threads?: number; dispatch?: 'caller' | 'workers'; split?: boolean }): Promise<WasmCheck> {
  const t0 = performance.now();
  const [x, w] = inputsFor(0);
  const want = sg.run(threadProgram, x, w);
  const one = sg.compile(threadProgram, { backend: 'wasm', wasm: { threads: 1 } });
  const base = await one.run(x, w);
  one.destroy();
  const options = {
    ...(wasm.threads !== undefined ? { threads: wasm.threads } : {}),
    ...(wasm.dispatch !== undefined ? { dispatch: wasm.dispatch } : {}),
    ...(wasm.split ? { schedule: everySplit } : {}),
  };
  const c = sg.compile(threadProgram, { backend: 'wasm', wasm: options });
  try {
    let same = true;
    let error = 0;
    for (let call = 0; call < 3; call++) {
      const got = await c.run(x, w);
      same &&= identical(got, base);
      error = Math.max(error, scaledError(got, want));
    }
    const info = c.lastRun() as { backend: string; executorKind: string; fallbackReason: string | null; threads?: number } | undefined;
    if (info === undefined || info.backend !== 'wasm') throw new Error(`${where}: lastRun() says ${JSON.stringify(info)}, not the wasm backend`);
    // Four calls at once, each with its own inputs (issue 13: each must get its own result).
    const inputs = [1, 2, 3, 4].map(inputsFor);
    const results = await Promise.all(inputs.map(([a, b]) => c.run(a, b)));
    const concurrentErrors = results.map((r, k) => scaledError(r, sg.run(threadProgram, inputs[k]![0], inputs[k]![1])));
    return {
      where,
      threads: info.threads ?? 0,
      dispatch: wasm.dispatch ?? 'default',
      executorKind: info.executorKind,
      fallbackReason: info.fallbackReason,
      error,
      sameAsOneThread: same,
      concurrentErrors,
      crossOriginIsolated: (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true,
      ms: performance.now() - t0,
    };
  } finally {
    c.destroy();
  }
}
