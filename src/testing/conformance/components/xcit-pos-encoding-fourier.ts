import { fourierFeatures, fourierPositions } from '../../../nn/xcit/fourier-positions.js';
import { broadcastTo, transposeTo } from '../../../ops/layout.js';
import type { Component } from '../component.js';
import { configNumber } from '../component.js';
import { evaluateCase, goldenTensor, projectedLoss } from '../layer-case.js';
import { configInt, dimOf, goldenParams, gradTargets, withVars } from './xcit-case.js';

/**
 * pos_encoding_fourier.json (float32 reference): XCiT's Fourier positional
 * encoding, [B, dim, H, W]. The features are built with float32 rounding, as
 * the module builds them; the projection runs in float64.
 */
export const xcitPosEncodingFourier: Component = {
  name: 'pos_encoding_fourier',
  describe: 'XCiT PositionalEncodingFourier (sin/cos features + 1x1 conv)',
  evaluate(file) {
    const grid = { H: configInt(file, 'H'), W: configInt(file, 'W') };
    const batch = configInt(file, 'B');
    const hiddenDim = configInt(file, 'hidden_dim');
    const temperature = typeof file.config['temperature'] === 'number' ? configNumber(file, 'temperature') : 10000;
    const enc = fourierPositions({ hiddenDim, temperature, precision: 'float32' });
    const r = goldenTensor(file, 'inputs', 'R', ['B', 'C', 'H', 'W']);
    const params = goldenParams(file, enc.init([0, 0], { C: dimOf(file, 'inputs', 'R', 1) }));
    return evaluateCase(gradTargets(file, '', {}, params), (v) => {
      const pos = transposeTo(enc.encode(withVars(params, v), batch, grid), ['B', 'C', 'H', 'W']);
      const f = fourierFeatures(hiddenDim, grid, temperature, 'float32');
      const features = transposeTo(broadcastTo(f, ['B', 'H', 'W', 'P'], [batch, ...f.sizes]), ['B', 'P', 'H', 'W']);
      return { loss: projectedLoss(pos, r), outputs: { pos, 'debug/fourier_features_before_projection': features } };
    });
  },
};
