/**
 * What the RegNet components share: the eval/ and train/ cases of a
 * BatchNorm network (running statistics in eval, batch statistics and the
 * updated buffers, reported as '<buffer>_after', in train).
 */
import type { Tensor } from '../../../ir/tensor.js';
import { runLayer, type Layer } from '../../../nn/layer.js';
import type { GoldenFile } from '../../../io/golden.js';
import { evaluateCase, goldenTensor, projectedLoss, type CaseResult } from '../layer-case.js';
import { gradTargets, withVars } from './xcit-case.js';

type Image = ['B', 'C', 'H', 'W'];

/**
 * Both modes of `layer` on inputs.x with params; `debug` adds named outputs
 * (given the params and image in use), `rename` maps a parameter path to the
 * file's name (for emitted buffers).
 */
export function bnModeCases<P>(
  file: GoldenFile,
  layer: Layer<P, Image, readonly string[]>,
  params: P,
  debug: (params: P, x: Tensor<Image>, training: boolean) => Record<string, Tensor> = () => ({}),
  rename: (path: string) => string = (p) => p,
): CaseResult {
  const x = goldenTensor(file, 'inputs', 'x', ['B', 'C', 'H', 'W']);
  const r = goldenTensor(file, 'inputs', 'R', [...(file.inputs['R']?.shape.length === 2 ? ['B', 'C'] : ['B', 'C', 'H', 'W'])]);
  const cases = (['eval', 'train'] as const).map((mode): CaseResult =>
    evaluateCase(
      gradTargets(file, `${mode}/`, { x }, params),
      (v) => {
        const training = mode === 'train';
        const p = withVars(params, v);
        const img = (v['x'] ?? x) as Tensor<Image>;
        const { y, emitted } = runLayer(layer, p, img, { training });
        const after = Object.fromEntries(Object.entries(emitted).map(([k, t]) => [`${rename(k)}_after`, t]));
        return { loss: projectedLoss(y, r), outputs: { y, ...(training ? after : {}), ...debug(p, img, training) } };
      },
      `${mode}/`,
    ),
  );
  return { outputs: Object.assign({}, ...cases.map((c) => c.outputs)), grads: Object.assign({}, ...cases.map((c) => c.grads)) };
}
