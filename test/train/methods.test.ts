import { strict as assert } from 'node:assert';
import { buildTrainer, methodConfig, methodNames, methods, methodsReading, type MethodName, type MethodOptions } from '../../src/train/methods.js';
import type { MethodFlag } from '../../src/train/method-entry.js';
import { trainOptions } from '../../src/cli/train.js';
import { makeDataset } from '../../src/data/dataset.js';
import { getPath } from '../../src/nn/params.js';
import { flattenToTensors } from '../../src/train/checkpoint.js';
import { backbone } from '../../src/train/models.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';

const options = (method: MethodName): MethodOptions => ({ method, model: 'resmlp-tiny', batchSize: 8, lr: 1e-3, seed: 0, backend: 'cpu', localViews: 0, outDim: 12, teacherTemp: 0.04, momentumTeacher: 0.996, labelsPerClass: 2, clusterImages: 40 });
const n = 40;
const train = makeDataset({ name: 'noise', split: 'train', n, height: 28, width: 28, numClasses: 10, images: Float32Array.from({ length: n * 784 }, (_, i) => (i * 7919) % 256 / 255), labels: Uint8Array.from({ length: n }, (_, i) => i % 10) });
const allFlags: readonly MethodFlag[] = ['out-dim', 'teacher-temp', 'momentum-teacher', 'labels-per-class', 'cluster-images'];
const names = (tree: unknown): string[] => Object.keys(flattenToTensors(tree)).sort();

describe('train/methods: the table', function () {
  this.timeout(300000);

  it('every method has its own label, and its config records the common settings', () => {
    assert.deepEqual([...methodNames].sort(), Object.keys(methods).sort());
    const labels = methodNames.map((m) => methods[m].label);
    assert.equal(new Set(labels).size, labels.length);
    for (const m of methodNames) {
      const config = methodConfig(options(m));
      for (const k of ['batchSize', 'lr', 'seed', 'backend']) assert.ok(k in config, `${m}: config has ${k}`);
    }
  });

  for (const method of methodNames) {
    it(`${method}: the evaluated backbone is one the trainer saves and --init-from replaces, with --model's parameter names`, async () => {
      const entry = methods[method];
      assert.ok(entry.initialBackbones.includes(entry.evaluatedBackbone));
      const trainer = buildTrainer(options(method), train, 10);
      try {
        const saved = trainer.saved(trainer.initState());
        const want = names(evaluate(backbone('resmlp-tiny').init(key(0))));
        for (const path of entry.initialBackbones) assert.deepEqual(names(getPath(saved, path)), want, `${method}: ${path}`);
      } finally {
        trainer.destroy();
      }
    });
  }

  it("the CLI takes each method's defaults from the table and refuses the flags of other methods", () => {
    for (const method of methodNames) {
      const o = trainOptions(['--method', method], () => {});
      assert.equal(o.batchSize, methods[method].defaults.batchSize, method);
      assert.equal(o.lr, methods[method].defaults.lr, method);
      if (methods[method].defaults.outDim !== undefined) assert.equal(o.outDim, methods[method].defaults.outDim.value, method);
      for (const flag of allFlags) {
        const given = () => trainOptions(['--method', method, `--${flag}`, '1'], () => {});
        if (methods[method].flags.includes(flag)) assert.doesNotThrow(given, `${method} --${flag}`);
        else assert.throws(given, new RegExp(`--${flag} applies to --method ${methodsReading(flag).join(' or ')}, not ${method}`));
      }
    }
  });
});
