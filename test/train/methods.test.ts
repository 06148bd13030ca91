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
import { gatherImages } from '../../src/data/loader.js';
import { optimizerNames } from '../../src/train/optimizer-choice.js';
import { dinoWeightDecay } from '../../src/train/dino.js';
import { DEFAULT_FLIP } from '../../src/data/multi-crop.js';
import type { TrainState } from '../../src/train/trainer.js';

const options = (method: MethodName): MethodOptions => ({ method, model: 'resmlp-tiny', batchSize: 8, lr: 1e-3, seed: 0, backend: 'cpu', localViews: 0, outDim: 12, teacherTemp: 0.04, momentumTeacher: 0.996, labelsPerClass: 2, clusterImages: 40 });
const n = 40;
const train = makeDataset({ name: 'noise', split: 'train', n, height: 28, width: 28, numClasses: 10, images: Float32Array.from({ length: n * 784 }, (_, i) => (i * 7919) % 256 / 255), labels: Uint8Array.from({ length: n }, (_, i) => i % 10) });
const allFlags: readonly MethodFlag[] = ['out-dim', 'teacher-temp', 'momentum-teacher', 'freeze-last-layer', 'labels-per-class', 'cluster-images', 'optimizer', 'queue-length', 'epoch-queue-starts'];
/** A value each flag accepts (for a method that reads it). */
const valueOf = (flag: MethodFlag, method: MethodName): string => (flag === 'optimizer' ? (methods[method].defaults.optimizer?.name ?? 'adamw') : '1');
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

  it("--flip reaches every view the trainer draws for the methods that read it; the others keep the recipes' 0.5", () => {
    for (const method of methodNames) {
      const reads = methodsReading('flip').includes(method);
      const trainer = buildTrainer({ ...options(method), localViews: 2, ...(reads ? { flip: 0.25 } : {}) }, train, 10);
      try {
        const flips = [...trainer.crops.global, ...trainer.crops.local].map((v) => v.flip);
        assert.ok(flips.length > 0 && flips.every((f) => f === (reads ? 0.25 : DEFAULT_FLIP)), `${method}: flips ${flips.join(', ')}`);
      } finally {
        trainer.destroy();
      }
    }
  });

  it("the CLI takes each method's defaults from the table and refuses the flags of other methods", () => {
    for (const method of methodNames) {
      const o = trainOptions(['--method', method], () => {});
      assert.equal(o.batchSize, methods[method].defaults.batchSize, method);
      assert.equal(o.lr, methods[method].defaults.lr, method);
      if (methods[method].defaults.outDim !== undefined) assert.equal(o.outDim, methods[method].defaults.outDim.value, method);
      for (const flag of allFlags) {
        const given = () => trainOptions(['--method', method, `--${flag}`, valueOf(flag, method)], () => {});
        if (methods[method].flags.includes(flag)) assert.doesNotThrow(given, `${method} --${flag}`);
        else assert.throws(given, new RegExp(`--${flag} applies to --method ${methodsReading(flag).join(' or ')}, not ${method}`));
      }
    }
  });

  it("--freeze-last-layer: DINO's last layer is fixed for that many epochs (fractions too; 0 by default here, main_dino.py's 1 measured worse in a 5-minute run), recorded in the run's config", () => {
    assert.equal(trainOptions([], () => {}).freezeLastLayerEpochs, 0);
    for (const [epochs, steps] of [[1, 5], [0.5, 3], [0, 0], [2, 10]] as const) {
      const o = { ...options('dino'), freezeLastLayerEpochs: trainOptions(['--freeze-last-layer', String(epochs)], () => {}).freezeLastLayerEpochs! };
      assert.equal(methodConfig(o)['freezeLastLayer'], epochs);
      const trainer = buildTrainer(o, train, 10) as unknown as { config: { freezeLastLayerSteps: number }; destroy(): void };
      assert.equal(trainer.config.freezeLastLayerSteps, steps, `${epochs} epochs of ${n / o.batchSize} steps`);
      trainer.destroy();
    }
    assert.throws(() => trainOptions(['--freeze-last-layer', 'x'], () => {}), /--freeze-last-layer must be a number of epochs from 0/);
  });

  it('--optimizer: each method that takes it accepts its listed optimisers (its default first among equals), the default --lr follows the optimiser, and any other value is one error naming the flag and the accepted ones', () => {
    for (const method of methodsReading('optimizer')) {
      const d = methods[method].defaults.optimizer!;
      assert.equal(d.lr[d.name], methods[method].defaults.lr, `${method}: --lr's default is its default optimiser's`);
      assert.equal(trainOptions(['--method', method], () => {}).optimizer, d.name);
      for (const [name, lr] of Object.entries(d.lr)) {
        const o = trainOptions(['--method', method, '--optimizer', name], () => {});
        assert.equal(o.optimizer, name);
        assert.equal(o.lr, lr, `${method} --optimizer ${name}`);
        assert.equal(trainOptions(['--method', method, '--optimizer', name, '--lr', '0.5'], () => {}).lr, 0.5);
        assert.equal(methodConfig(o)['optimizer'], name, 'run.json records it');
      }
      for (const bad of ['adam', 'LARS', '', 'sgd ']) {
        assert.throws(() => trainOptions(['--method', method, '--optimizer', bad], () => {}), new RegExp(`--optimizer must be one of ${Object.keys(d.lr).join(', ')} for --method ${method}, got '${bad}'`));
      }
    }
    for (const method of methodNames.filter((m) => !methodsReading('optimizer').includes(m))) {
      assert.throws(() => trainOptions(['--method', method, '--optimizer', 'adamw'], () => {}), new RegExp(`--optimizer applies to --method ${methodsReading('optimizer').join(' or ')}, not ${method}`));
    }
  });

  it('--optimizer builds that optimiser in the trainer: AdamW keeps two moments and a count, SGD and LARS one momentum buffer per parameter', () => {
    for (const [method, optimizer, state] of (['swav', 'paws'] as const).flatMap((m) => [[m, 'adamw', ['m', 'v', 't']], [m, 'sgd', ['momentum']], [m, 'lars', ['momentum']]] as const)) {
      const trainer = buildTrainer({ ...options(method), optimizer }, train, 10) as unknown as { config: { optimizer: string }; saved(s: unknown): { opt: object }; initState(): unknown; destroy(): void };
      try {
        assert.equal(trainer.config.optimizer, optimizer);
        assert.deepEqual(Object.keys(trainer.saved(trainer.initState()).opt).sort(), [...state].sort());
      } finally {
        trainer.destroy();
      }
    }
  });

  for (const method of ['dino', 'deepcluster', 'deepercluster'] as const) {
    for (const optimizer of optimizerNames) {
      it(`${method} --optimizer ${optimizer}: the trainer keeps that optimiser's state, and 3 steps give finite losses and move the backbone`, async () => {
        const trainer = buildTrainer({ ...options(method), optimizer }, train, 10);
        try {
          const config = (trainer as unknown as { config: { optimizer: string; weightDecay: number; weightDecayEnd?: number } }).config;
          assert.equal(config.optimizer, optimizer);
          // DINO's weight-decay schedule follows the optimiser (the official recipes'); the clustering trainers keep theirs.
          if (method === 'dino') assert.deepEqual([config.weightDecay, config.weightDecayEnd], [dinoWeightDecay[optimizer].weightDecay, dinoWeightDecay[optimizer].weightDecayEnd]);
          let state: TrainState = trainer.initState();
          const opt = (trainer.saved(state) as { opt: object }).opt;
          assert.deepEqual(Object.keys(opt).sort(), optimizer === 'adamw' ? ['m', 't', 'v'] : ['momentum']);
          const backboneOf = (st: TrainState) => flattenToTensors(getPath(trainer.saved(st), methods[method].evaluatedBackbone));
          const before = backboneOf(state);
          const images = gatherImages(train, [0, 1, 2, 3, 4, 5, 6, 7]);
          for (let i = 0; i < 3; i++) {
            const r = await trainer.step(state, images);
            assert.ok(Number.isFinite(r.loss), `step ${i}: loss ${r.loss}`);
            state = r.state;
          }
          const after = backboneOf(state);
          assert.ok(Object.keys(before).some((k) => before[k]!.data.some((v, j) => v !== after[k]!.data[j])), 'the backbone moved');
        } finally {
          trainer.destroy();
        }
      });
    }
  }

  it('seer: SwAV on regnety-tiny with LARS, the SwAV trainer itself with the SEER label and weight decay 1e-5', () => {
    const o = trainOptions(['--method', 'seer'], () => {});
    assert.equal(o.model, 'regnety-tiny');
    assert.equal(o.optimizer, 'lars');
    assert.equal(trainOptions(['--method', 'seer', '--model', 'resmlp-tiny'], () => {}).model, 'resmlp-tiny');
    assert.equal(trainOptions(['--method', 'swav'], () => {}).model, 'xcit-tiny', 'the other methods keep xcit-tiny');
    const trainer = buildTrainer({ ...options('seer'), queueLength: 16, epochQueueStarts: 2 }, train, 10) as unknown as { label: string; config: Record<string, unknown>; objective: { config: { queueLength: number } }; destroy(): void };
    try {
      assert.equal(trainer.label, 'SEER');
      assert.equal(trainer.config['optimizer'], 'lars');
      assert.equal(trainer.config['weightDecay'], 1e-5);
      assert.equal(trainer.config['epochQueueStarts'], 2);
      assert.equal(trainer.config['stepsPerEpoch'], n / 8);
      assert.equal(trainer.objective.config.queueLength, 16);
    } finally {
      trainer.destroy();
    }
  });
});
