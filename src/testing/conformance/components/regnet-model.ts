import { regnet, regnetStages } from '../../../nn/regnet/regnet.js';
import { regnetPathFromVissl, regnetVisslName } from '../../../nn/regnet/vissl-names.js';
import type { GoldenFile, GoldenTensor } from '../../../io/golden.js';
import type { Component } from '../component.js';
import { configNumber } from '../component.js';
import { goldenParams } from './xcit-case.js';
import { bnModeCases } from './regnet-case.js';

/** A record with every '<mode>/<VISSL name>' key (or bare VISSL name) rewritten to the classy-vision path. */
function renameKeys<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).map(([k, v]) => {
      const m = /^((?:eval|train)\/)?(_feature_blocks\..+)$/.exec(k);
      return [m ? `${m[1] ?? ''}${regnetPathFromVissl(m[2]!)}` : k, v];
    }),
  );
}

/** A number from config.regnet. */
function generatorNumber(file: GoldenFile, name: string, fallback?: number): number {
  const g = file.config['regnet'];
  const v = typeof g === 'object' && g !== null ? (g as Record<string, unknown>)[name] : undefined;
  if (typeof v === 'number') return v;
  if (fallback !== undefined) return fallback;
  throw new Error(`config.regnet.${name}: expected a number, got ${JSON.stringify(v)}`);
}

/** regnet_model.json: VISSL's "regnet" trunk (SEER's RegNetY), BatchNorm in eval and train mode, VISSL parameter names. */
export const regnetModelComponent: Component = {
  name: 'regnet_model',
  describe: "VISSL's regnet trunk (SEER's RegNetY: stem, stages, average pool), eval and train",
  evaluate(file) {
    const stem = file.params['_feature_blocks.conv1.stem.0.weight'];
    if (stem === undefined) throw new Error('params._feature_blocks.conv1.stem.0.weight: missing (the stem convolution)');
    const b = typeof file.config['bottleneck_multiplier'] === 'number' ? configNumber(file, 'bottleneck_multiplier') : 1;
    const stages = regnetStages({
      depth: generatorNumber(file, 'depth'),
      w0: generatorNumber(file, 'w_0'),
      wa: generatorNumber(file, 'w_a'),
      wm: generatorNumber(file, 'w_m'),
      groupWidth: generatorNumber(file, 'group_width'),
      bottleneckMultiplier: b,
    });
    const model = regnet({
      inChans: stem.shape[1]!,
      stemWidth: generatorNumber(file, 'stem_width', 32),
      stages,
      seRatio: file.config['use_se'] === false ? null : configNumber(file, 'se_ratio'),
      bnEps: configNumber(file, 'bn_eps'),
      bnMomentum: configNumber(file, 'bn_momentum'),
    });
    const view: GoldenFile = { ...file, params: renameKeys<GoldenTensor>(file.params), grads: renameKeys<GoldenTensor>(file.grads) };
    const result = bnModeCases(view, model, goldenParams(view, model.init([0, 0], {})), (p, x, training) => {
      const outs = model.stageOutputs(p, x, { training, key: undefined, path: [], emit: () => {} });
      return Object.fromEntries(outs.map((t, k) => [k === 0 ? 'debug/conv1' : `debug/res${k + 1}`, t]));
    }, regnetVisslName);
    const back = (k: string): string => {
      const m = /^((?:eval|train)\/)((?:stem|trunk_output)\..+)$/.exec(k);
      return m ? `${m[1]}${regnetVisslName(m[2]!)}` : k;
    };
    return { outputs: result.outputs, grads: Object.fromEntries(Object.entries(result.grads).map(([k, v]) => [back(k), v])) };
  },
};
