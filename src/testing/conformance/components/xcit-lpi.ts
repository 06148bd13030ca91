import { lpi } from '../../../nn/xcit/lpi.js';
import { runLayer } from '../../../nn/layer.js';
import type { Tensor } from '../../../ir/tensor.js';
import type { Component } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss, type CaseResult } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';
import type { Tokens } from '../../../nn/xcit/heads.js';

/** lpi.json: XCiT's local patch interaction, eval/ and train/ (BatchNorm batch statistics and running-stat updates). */
export const xcitLpi: Component = {
  name: 'lpi',
  describe: 'XCiT LPI (depthwise conv -> GELU -> BatchNorm -> depthwise conv on the token grid)',
  evaluate(file) {
    const grid = { H: configInt(file, 'H'), W: configInt(file, 'W') };
    const layer = lpi({ grid });
    const x = goldenTensor(file, 'inputs', 'x', ['B', 'N', 'C']);
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'N', 'C']);
    const params = goldenParams(file, layer.init([0, 0], { C: dimOf(file, 'inputs', 'x', 2) }));
    const cases = (['eval', 'train'] as const).map((mode): CaseResult =>
      evaluateCase(
        gradTargets(file, `${mode}/`, { x }, params),
        (v) => {
          const { y, emitted } = runLayer(layer, withVars(params, v), (v['x'] ?? x) as Tokens, { training: mode === 'train' });
          const after: Record<string, Tensor> = Object.fromEntries(Object.entries(emitted).map(([k, t]) => [`${k}_after`, t]));
          return { loss: projectedLoss(y, r), outputs: { y, ...after } };
        },
        `${mode}/`,
      ),
    );
    return { outputs: Object.assign({}, ...cases.map((c) => c.outputs)), grads: Object.assign({}, ...cases.map((c) => c.grads)) };
  },
};
