import { strict as assert } from 'node:assert';
import { recordedFlags, resumeFlags } from '../../src/cli/resume-flags.js';
import { UsageError, type Flags } from '../../src/cli/args.js';
import type { RunInfo } from '../../src/train/run-dir.js';

const info: RunInfo = {
  method: 'dino',
  model: 'resmlp-tiny',
  dataset: 'mnist',
  config: { batchSize: 8, lr: 0.0005, seed: 0, localViews: 0, backend: 'cpu', outDim: 256, teacherTemp: 0.02, momentumTeacher: 0.996, minutes: 5, knnTrain: 100, knnTest: 50 },
  createdAt: '2026-01-01T00:00:00.000Z',
};
const flags = (values: Record<string, string>): Flags => ({ values: new Map(Object.entries(values)), switches: new Set(['resume']), positionals: [] });

describe('cli/resume-flags', () => {
  it('reads the settings of run.json back as flags', () => {
    const f = recordedFlags(info);
    assert.equal(f.get('model'), 'resmlp-tiny');
    assert.equal(f.get('batch-size'), '8');
    assert.equal(f.get('lr'), '0.0005');
    assert.equal(f.get('max-steps'), undefined);
    assert.equal(recordedFlags({ ...info, method: 'deepcluster', config: { clusters: 50 } }).get('out-dim'), '50');
  });

  it('continues a DINO run from before --freeze-last-layer with the one frozen epoch it started with', () => {
    assert.equal(recordedFlags(info).get('freeze-last-layer'), '1');
    assert.equal(recordedFlags({ ...info, config: { ...info.config, freezeLastLayer: 0 } }).get('freeze-last-layer'), '0');
    assert.equal(recordedFlags({ ...info, method: 'swav' }).get('freeze-last-layer'), undefined);
  });

  it("continues a run from before --flip with the recipes' flips, and a run with --flip with its own", () => {
    assert.equal(recordedFlags({ ...info, method: 'paws' }).get('flip'), '0.5');
    assert.equal(recordedFlags({ ...info, method: 'paws', config: { ...info.config, flip: 0 } }).get('flip'), '0');
    assert.equal(recordedFlags({ ...info, method: 'deepcluster' }).get('flip'), undefined);
    assert.throws(() => resumeFlags(flags({ flip: '0' }), { ...info, method: 'swav' }, 'runs/a'), /--flip 0 \(the run has 0.5\)/);
    assert.equal(resumeFlags(flags({}), { ...info, method: 'swav', config: { ...info.config, flip: 0 } }, 'runs/a').values.get('flip'), '0');
  });

  it('fills the flags not given from run.json, keeps the others', () => {
    const r = resumeFlags(flags({ out: 'runs/a', 'stop-after': '3', lr: '5e-4' }), info, 'runs/a');
    assert.equal(r.values.get('model'), 'resmlp-tiny');
    assert.equal(r.values.get('batch-size'), '8');
    assert.equal(r.values.get('lr'), '5e-4', 'the same number written another way');
    assert.equal(r.values.get('stop-after'), '3');
    assert.ok(r.switches.has('resume'));
  });

  it('refuses every setting that differs, naming each with the recorded value', () => {
    assert.throws(
      () => resumeFlags(flags({ 'batch-size': '16', lr: '0.01', seed: '0', model: 'xcit-tiny', 'max-steps': '9', 'knn-test': '60' }), info, 'runs/a'),
      (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, /^--resume continues runs\/a with the settings in its run.json; these differ: /);
        for (const part of ['--batch-size 16 (the run has 8)', '--lr 0.01 (the run has 0.0005)', '--model xcit-tiny (the run has resmlp-tiny)', '--max-steps 9 (the run has none)', '--knn-test 60 (the run has 50)']) assert.ok(e.message.includes(part), part);
        assert.ok(!e.message.includes('--seed'));
        return true;
      },
    );
  });

  it('cannot check --minutes and --max-steps of a run made before they were recorded', () => {
    const old = { ...info, config: { batchSize: 8 } };
    assert.equal(resumeFlags(flags({ minutes: '3', 'max-steps': '9' }), old, 'runs/a').values.get('minutes'), '3');
  });

  it("a SwAV or SEER run's optimiser and queue are settings: read back, and a different one is refused", () => {
    const seer: RunInfo = { ...info, method: 'seer', config: { batchSize: 8, lr: 0.6, optimizer: 'lars', queueLength: 64, epochQueueStarts: 1, minutes: 5 } };
    const r = resumeFlags(flags({ out: 'runs/s' }), seer, 'runs/s');
    assert.equal(r.values.get('optimizer'), 'lars');
    assert.equal(r.values.get('queue-length'), '64');
    assert.equal(r.values.get('epoch-queue-starts'), '1');
    assert.throws(() => resumeFlags(flags({ optimizer: 'adamw', 'queue-length': '32' }), seer, 'runs/s'), /--optimizer adamw \(the run has lars\), --queue-length 32 \(the run has 64\)/);
  });
});
