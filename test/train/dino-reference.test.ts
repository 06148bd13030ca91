import { strict as assert } from 'node:assert';
import { run } from '../../src/runtime/interpret.js';
import { dinoTrainer } from '../../src/train/dino.js';

describe('train/dino: program and stepInputs', function () {
  this.timeout(120000);

  it('the traced step on the float64 interpreter gives the compiled step\u2019s loss (float32) for the same inputs', async () => {
    const trainer = dinoTrainer({ model: 'resmlp-tiny', batchSize: 4, outDim: 32, hiddenDim: 16, bottleneckDim: 8, backend: 'wasm' });
    try {
      const state = trainer.initState();
      const images = Float32Array.from({ length: 4 * 784 }, (_, i) => ((i * 7919) % 255) / 255);
      const { loss } = await trainer.step(state, images);
      const { inputs, lr } = trainer.stepInputs(state, images);
      assert.ok(lr > 0);
      const reference = run(trainer.program, ...inputs);
      assert.ok(Math.abs(reference.loss.data[0]! - loss) <= 1e-4 * Math.abs(reference.loss.data[0]!), `${loss} vs ${reference.loss.data[0]}`);
    } finally {
      trainer.destroy();
    }
  });
});
