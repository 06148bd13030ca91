import { strict as assert } from 'node:assert';
import * as sg from '../../../src/index.js';
import { optimise } from '../../../src/compile/optimise.js';
import { planFusion } from '../../../src/compile/fuse.js';
import { planBuffers } from '../../../src/compile/buffers.js';
import { lowerKernel } from '../../../src/compile/lower.js';
import { simplifyIndices } from '../../../src/compile/wasm/simplify-index.js';
import { literal, renderShader } from '../../../src/compile/webgl2/render.js';
import type { Program } from '../../../src/ir/trace.js';

/** The shaders of a program's kernels (Chromium runs them: test/browser/suite.test.ts). */
function shadersOf(program: Program<readonly unknown[], unknown>, maxTextureSize = 8192) {
  const graph = optimise(program.graph);
  const plan = planFusion(graph);
  const { bufferIds, buffers } = planBuffers(graph, plan);
  return plan.kernels.map((root, i) => renderShader(simplifyIndices(lowerKernel(root, `k${i}`, (t) => bufferIds.get(t))), buffers, maxTextureSize));
}

const fetchesInLoop = (source: string) => {
  const body = source.slice(source.indexOf('for ('), source.lastIndexOf('result'));
  return (body.match(/texelFetch/g) ?? []).length;
};

describe('compile/webgl2/render', () => {
  const matmul = (i: number, k: number, j: number) =>
    sg.trace((a, b) => sg.einsum('I K, K J -> I J', a, b), sg.spec(['I', 'K'], [i, k], 'a'), sg.spec(['K', 'J'], [k, j], 'b')) as unknown as Program<readonly unknown[], unknown>;

  it('a matmul is row-tiled: per four steps of k, four texels of each operand for sixteen outputs', () => {
    const [s] = shadersOf(matmul(64, 64, 64));
    assert.equal(s!.tiled, true);
    assert.match(s!.source, /layout\(location = 3\) out vec4 result3;/);
    assert.equal(fetchesInLoop(s!.source), 8);
  });

  it('without tiling (rows not a multiple of 4) the lanes still share the fetch of the row operand', () => {
    const [s] = shadersOf(matmul(5, 64, 64));
    assert.equal(s!.tiled, false);
    assert.equal(fetchesInLoop(s!.source), 5, s!.source);
  });

  it('indices that do not change in a loop are computed before it', () => {
    // The output's C = 3h + d reads x[b, n, C / 3, C % 3] in the loop over n.
    const program = sg.trace((x) => sg.sum(sg.reshape(x, ['B', 'N', 'C'], { B: 4, N: 6, C: 6 }), 'N'), sg.spec(['B', 'N', 'H', 'D'], [4, 6, 2, 3], 'x')) as unknown as Program<readonly unknown[], unknown>;
    assert.ok(shadersOf(program).some((s) => /fdiv\(|fmod\(/.test(s.source)), 'the program divides an index (else this test checks nothing)');
    for (const s of shadersOf(program)) {
      const loop = s.source.slice(s.source.indexOf('for ('));
      assert.doesNotMatch(loop, /f(div|mod)\(\(*[iq]/, 'an index of the thread alone is recomputed inside a loop');
    }
  });

  it('writes float literals GLSL accepts, infinities and NaN by their bits', () => {
    assert.equal(literal(2), '2.0');
    assert.equal(literal(-0.5), '(-0.5)');
    assert.equal(literal(1e-7), String(Math.fround(1e-7)));
    assert.equal(literal(Infinity), 'INF');
    assert.equal(literal(-Infinity), '(-INF)');
    assert.equal(literal(NaN), 'uintBitsToFloat(0x7fc00000u)');
    assert.equal(literal(1e39), 'INF');
  });
});
