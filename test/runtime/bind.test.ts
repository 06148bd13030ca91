import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { compile, isBackendAvailable } from '../../src/compile/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Runner = (p: sg.Program<any, unknown>, ...args: unknown[]) => Promise<unknown>;

/** The interpreter and every compiled backend runnable here, each as one async call. */
const runners: [string, Runner][] = [
  ['interpreter', async (p, ...args) => sg.run(p, ...(args as never[]))],
  ['wasm', (p, ...args) => compile(p, { backend: 'wasm', wasm: { threads: 1 } }).run(...(args as never[]))],
  ...(['webasm', 'cpu'] as const).filter((b) => isBackendAvailable(b)).map((b): [string, Runner] => [b, (p, ...args) => compile(p, { backend: b }).run(...(args as never[]))]),
];

async function refuses(f: () => Promise<unknown>, message: RegExp): Promise<void> {
  await assert.rejects(f, (e: Error) => {
    assert.equal(e.name, 'InputError');
    assert.match(e.message, message);
    return true;
  });
}

describe('runtime/bind: run() arguments are checked alike on the interpreter and every backend', () => {
  const matrix = sg.trace((x: Tensor<['B', 'C']>) => sg.mul(x, 2), sg.spec(['B', 'C'], [2, 3], 'x'));
  const tree = sg.trace((t: { a: Tensor<['I']>; b: Tensor<['I']> }) => sg.add(t.a, t.b), { a: sg.spec(['I'], [2]), b: sg.spec(['I'], [2]) });
  const vector = sg.trace((x: Tensor<['I']>) => sg.mul(x, 2), sg.spec(['I'], [3], 'x'));
  const empty = sg.trace((x: Tensor<['I']>) => sg.mul(x, 2), sg.spec(['I'], [0], 'x'));
  const data = new Float64Array(6);

  for (const [name, run] of runners) {
    it(`${name}: refuses an NDArray with other axis names or sizes, naming the input, the axis and both shapes`, async () => {
      await refuses(() => run(matrix, { axes: ['P', 'Q'], sizes: [2, 3], data }), /input x \(arg\[0\]\): expected shape \[B=2, C=3\], got \[P=2, Q=3\]; axis 0: expected B=2, got P=2/);
      await refuses(() => run(matrix, { axes: ['B', 'C'], sizes: [3, 2], data }), /input x \(arg\[0\]\): expected shape \[B=2, C=3\], got \[B=3, C=2\]; axis 0: expected B=2, got B=3/);
    });

    it(`${name}: refuses a tree whose keys are not the specs'`, async () => {
      await refuses(() => run(tree, { x: [1, 2], y: [3, 4] }), /input arg\[0\]: expected keys a, b; got x, y/);
      await refuses(() => run(tree, { a: [1, 2] }), /expected keys a, b; got a$/);
    });

    it(`${name}: reports the count of an empty input as 0 and accepts one where the shape is empty`, async () => {
      await refuses(() => run(vector, []), /input x \(arg\[0\]\): 0 values given, but shape \[I=3\] needs 3/);
      await refuses(() => run(vector, new Float32Array(0)), /0 values given/);
      // gpu.js cannot run a kernel over an empty tensor at all (it fails inside its pipeline).
      if (name === 'interpreter' || name === 'wasm') assert.deepEqual(Array.from(((await run(empty, [])) as sg.NDArray).data), []);
    });

    it(`${name}: refuses values that are not finite, naming the index`, async () => {
      await refuses(() => run(vector, [1, NaN, 3]), /input x \(arg\[0\]\): value NaN at \[I=1\] is not finite/);
      await refuses(() => run(vector, Float32Array.of(1, 2, Infinity)), /value Infinity at \[I=2\] is not finite/);
    });
  }

  for (const [name, run] of runners.filter(([n]) => n !== 'interpreter')) {
    it(`${name}: refuses a finite value beyond float32's range (it would come out NaN), naming the input and index`, async () => {
      await refuses(() => run(vector, [1, 2, 1e39]), /input x \(arg\[0\]\): value 1e\+39 at \[I=2\] is beyond float32's range/);
      await refuses(() => run(vector, { axes: ['I'], sizes: [3], data: Float64Array.of(-1e39, 0, 0) }), /value -1e\+39 at \[I=0\]/);
      assert.deepEqual(Array.from(((await run(vector, [1, 2, 3])) as sg.NDArray).data), [2, 4, 6]);
    });
  }

  it('the interpreter computes in float64 and accepts 1e39', () => {
    assert.deepEqual(Array.from(sg.run(vector, [1, 2, 1e39]).data), [2, 4, 2e39]);
  });
});
