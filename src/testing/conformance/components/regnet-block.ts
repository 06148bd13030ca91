import { regnetBlock } from '../../../nn/regnet/block.js';
import type { Component } from '../component.js';
import { configNumber } from '../component.js';
import { configInt, goldenParams } from './xcit-case.js';
import { bnModeCases } from './regnet-case.js';

/** regnet_block.json: the RegNetY block (grouped 3×3, SE, projection shortcut), BatchNorm in eval and train mode. */
export const regnetBlockComponent: Component = {
  name: 'regnet_block',
  describe: 'RegNetY ResBottleneckBlock with SE (classy-vision, as SEER), eval and train',
  evaluate(file) {
    const layer = regnetBlock({
      widthIn: configInt(file, 'width_in'),
      widthOut: configInt(file, 'width_out'),
      stride: configInt(file, 'stride'),
      groupWidth: configInt(file, 'group_width'),
      bottleneckMultiplier: configNumber(file, 'bottleneck_multiplier'),
      seRatio: configNumber(file, 'se_ratio'),
      bnEps: configNumber(file, 'bn_eps'),
      bnMomentum: configNumber(file, 'bn_momentum'),
    });
    return bnModeCases(file, layer, goldenParams(file, layer.init([0, 0], {})));
  },
};
