import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import type { Tensor } from '../../src/index.js';
import { registry } from '../../src/ops/registry.js';
import { opRule, opRules, opsOfClass } from '../../src/compile/op-rules.js';
import { binaryKernelOps, unaryKernelOps } from '../../src/compile/kernel-ops.js';
import { approxErf, erfFunctionSource, erfGlslSource } from '../../src/compile/approx-erf.js';
import { importedFuncs, mathImports } from '../../src/compile/wasm/math-imports.js';
import { compile, availableBackends, type Backend, type GpujsBackend } from '../../src/compile/index.js';
import { erf } from '../../src/ops/special/erf.js';
import { close } from '../support/dense-program.js';

const backends: Backend[] = ['wasm', ...(['cpu', 'webasm'] as GpujsBackend[]).filter((b) => availableBackends().includes(b))];

describe('compile/op-rules', function () {
  this.timeout(120000);

  it('has one rule for every registry op and no other', () => {
    assert.deepEqual(Object.keys(opRules).sort(), Object.keys(registry).sort());
    assert.throws(() => opRule('frobnicate'), /op frobnicate has no compiler rule/);
  });

  it('derives the elementwise rules from the kernel-op table, and lowers every computed op', () => {
    for (const op of [...Object.keys(unaryKernelOps), ...Object.keys(binaryKernelOps)]) assert.equal(opRule(op).fusion, 'elementwise', op);
    for (const [op, rule] of Object.entries(opRules)) assert.equal(rule.lower === undefined, rule.fusion === 'host', op);
    assert.deepEqual([...opsOfClass('host')].sort(), ['constant', 'input', 'random']);
    assert.deepEqual([...opsOfClass('alias')].sort(), ['identity', 'stopGradient']);
  });

  it('imports into wasm exactly the ops with no f32 instruction, unaries first', () => {
    assert.deepEqual(Object.keys(mathImports), ['exp', 'log', 'sin', 'cos', 'tanh', 'erf', 'softplus', 'pow']);
    assert.deepEqual(importedFuncs.map((f) => [f.name, f.type.params.length]), [['exp', 1], ['log', 1], ['sin', 1], ['cos', 1], ['tanh', 1], ['erf', 1], ['softplus', 1], ['pow', 2]]);
  });

  it('computes erf one way: the gpu.js source, the GLSL helper and the wasm import agree within 1.5e-7 of the exact erf', () => {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const gpujsErf = new Function(`${erfFunctionSource}; return erf;`)() as (x: number) => number;
    for (let x = -4; x <= 4; x += 0.01) {
      assert.equal(gpujsErf(x), approxErf(x), `x = ${x}`);
      assert.ok(Math.abs(approxErf(x) - erf(x)) < 1.5e-7, `x = ${x}: ${approxErf(x)} vs ${erf(x)}`);
    }
    assert.match(erfGlslSource, /float c = clamp\(x, -3\.9, 3\.9\);/);
    assert.match(erfGlslSource, /\(c \* \(\(\(\(\(0\.0000020503305586949683 \* u \+ 0\.00028745183823339\) \* u/);
    assert.match(erfGlslSource, /\* u \+ 1\.0\);/, 'float literals: GLSL has no implicit int to float');
  });

  describe('softplus, the worked example of docs/compiler.md', () => {
    const values = [-100, -30, -3, -1, -0.25, 0, 0.25, 0.5, 1, 3, 30, 100]; // 12: wasm runs four lanes at a time
    const program = sg.trace((x: Tensor<['A']>) => sg.softplus(x), sg.spec(['A'], [values.length], 'x'));

    it('is one primitive node of its input shape', () => {
      const ops = program.graph.nodes.map((n) => n.op).filter((op) => op !== 'input');
      assert.deepEqual(ops, ['softplus']);
      assert.deepEqual(program.graph.outputs[0]!.axes, ['A']);
    });

    it('evaluates log(1 + e^x) in float64, finite for large |x|', () => {
      const got = sg.run(program, values).data;
      values.forEach((x, i) => assert.ok(Math.abs(got[i]! - (x > 30 ? x : Math.log1p(Math.exp(x)))) <= 1e-15 * Math.max(1, Math.abs(x)), `softplus(${x}) = ${got[i]}`));
    });

    it('has gradient sigmoid(x)', () => {
      const g = sg.trace((x: Tensor<['A']>) => sg.grad((u: Tensor<['A']>) => sg.sum(sg.softplus(u)))(x), sg.spec(['A'], [values.length], 'x'));
      const got = sg.run(g, values).data;
      values.forEach((x, i) => assert.ok(Math.abs(got[i]! - 1 / (1 + Math.exp(-x))) < 1e-15, `d softplus(${x}) = ${got[i]}`));
    });

    for (const backend of backends) {
      it(`compiled on ${backend} equals the interpreter, fused with its neighbours`, async () => {
        const q = sg.trace((x: Tensor<['A']>) => sg.mul(sg.softplus(sg.mul(x, 0.5)), 2), sg.spec(['A'], [values.length], 'x'));
        const c = compile(q, { backend });
        try {
          assert.equal(c.kernels.length, 1);
          close((await c.run(values)).data, sg.run(q, values).data, 1e-5);
        } finally {
          c.destroy();
        }
      });
    }
  });
});
