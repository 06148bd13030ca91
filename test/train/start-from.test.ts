import { strict as assert } from 'node:assert';
import { buildTrainer, methods, type MethodName, type MethodOptions } from '../../src/train/methods.js';
import { startFrom } from '../../src/train/start-from.js';
import { resmlpTiny } from '../../src/train/models.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import { getPath } from '../../src/nn/params.js';
import { flattenToTensors } from '../../src/train/checkpoint.js';
import type { Dataset } from '../../src/data/dataset.js';

const options = (method: MethodName): MethodOptions => ({ method, model: 'resmlp-tiny', batchSize: 8, lr: 1e-3, seed: 0, backend: 'cpu', localViews: 0, outDim: 16, teacherTemp: 0.04, momentumTeacher: 0.996, labelsPerClass: 1 });
const train = { n: 80 } as Dataset;

describe('train/start-from', function () {
  this.timeout(120000);
  for (const method of ['dino', 'swav'] as const) {
    it(`${method}: every backbone of the initial state is the given weights, the rest as initialised, and a step runs from it`, async () => {
      const trainer = buildTrainer(options(method), train, 10);
      try {
        const init = trainer.initState();
        const weights = evaluate(resmlpTiny().init(key(9)));
        const s = startFrom(trainer, init, method, weights);
        assert.equal(s.step, 0);
        assert.deepEqual(s.key, init.key);
        const want = flattenToTensors(weights);
        for (const path of methods[method].initialBackbones) {
          const got = flattenToTensors(getPath(trainer.saved(s), path));
          assert.deepEqual(Object.keys(got), Object.keys(want));
          for (const name of Object.keys(want)) assert.deepEqual(got[name]!.data, want[name]!.data, `${path}.${name}`);
        }
        const before = flattenToTensors(trainer.saved(init));
        const after = flattenToTensors(trainer.saved(s));
        for (const name of Object.keys(before)) {
          if (methods[method].initialBackbones.some((p) => name.startsWith(`${p}.`))) continue;
          assert.deepEqual(after[name]!.data, before[name]!.data, `${name} is untouched`);
        }
        const images = Float32Array.from({ length: 8 * 784 }, (_, i) => ((i * 7919) % 255) / 255);
        const r = await trainer.step(s, images, 0.1);
        assert.ok(Number.isFinite(r.loss));
      } finally {
        trainer.destroy();
      }
    });
  }
});
