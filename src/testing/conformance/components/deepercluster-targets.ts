/**
 * deepercluster_targets.json: DeeperCluster's rank tables
 * (init_distributed_mode), hierarchical targets, the two-head loss with its
 * gradients, rotate_img, and DistUnifTargSampler (numpy legacy MT19937).
 */
import type { GoldenFile } from '../../../io/golden.js';
import { goldenArray, goldenData } from '../../../io/golden.js';
import type { Tensor } from '../../../ir/tensor.js';
import { deeperClusterLoss, distUnifTargSampler, hierarchicalTargets, rankTable, superClusterCount } from '../../../ssl/deeper-cluster.js';
import { quarterTurns, rotateImage } from '../../../ssl/rotation.js';
import type { Component } from '../component.js';
import { tensorOf } from '../component.js';
import { evaluateCase, goldenTensor } from '../layer-case.js';

type Json = Record<string, unknown>;

function record(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`${what}: expected an object, got ${JSON.stringify(v)}`);
  return v as Json;
}

function int(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new Error(`${what}: expected an integer, got ${JSON.stringify(v)}`);
  return v;
}

function rankTables(file: GoldenFile, outputs: Record<string, ArrayLike<number>>): void {
  const tables = record(file.config['rank_tables'], 'config.rank_tables');
  for (const [setting, raw] of Object.entries(tables)) {
    const c = record(raw, `config.rank_tables.${setting}`);
    const rotnet = c['rotnet'];
    if (typeof rotnet !== 'boolean') throw new Error(`config.rank_tables.${setting}.rotnet: expected a boolean`);
    const rows = rankTable({ worldSize: int(c['world_size'], `config.rank_tables.${setting}.world_size`), superClasses: int(c['super_classes'], `config.rank_tables.${setting}.super_classes`), rotnet });
    outputs[`${setting}/rank_table`] = rows.flatMap((r) => [r.rank, r.trainingLocalWorldId, r.trainingLocalRank, r.clusteringLocalWorldId, r.clusteringLocalRank, r.rotation]);
  }
}

function example(file: GoldenFile, outputs: Record<string, ArrayLike<number>>): void {
  const c = record(file.config['example'], 'config.example');
  const k = int(c['k'], 'config.example.k');
  const nSuper = int(c['nmb_super_clusters'], 'config.example.nmb_super_clusters');
  const superClasses = int(c['super_classes'], 'config.example.super_classes');
  const rotnet = superClasses !== nSuper;
  if (superClusterCount({ superClasses, rotnet }) !== nSuper) throw new Error(`config.example: ${superClasses} super-classes do not fit ${nSuper} super-clusters with or without rotations`);
  const t = hierarchicalTargets(goldenData(tensorOf(file, 'inputs', 'super_cluster')), goldenData(tensorOf(file, 'inputs', 'sub_cluster')), rotnet ? goldenData(tensorOf(file, 'inputs', 'rotation_index')) : undefined);
  outputs['example/super_class_target'] = t.superTarget;
  outputs['example/sub_class_target'] = t.subTarget;
  const perSuper = Math.floor(k / nSuper);
  outputs['example/flat_label_illustrative'] = t.superTarget.map((s, i) => s * perSuper + t.subTarget[i]!);
}

function samplers(file: GoldenFile, outputs: Record<string, ArrayLike<number>>): void {
  const c = record(file.config['sampler'], 'config.sampler');
  const seed = int(c['seed'], 'config.sampler.seed');
  const labels = goldenData(tensorOf(file, 'inputs', 'sampler/pseudo_labels'));
  const cases = new Set(
    Object.keys(file.outputs)
      .filter((k) => k.startsWith('sampler/'))
      .map((k) => k.split('/')[1]!),
  );
  for (const name of cases) {
    const m = /^total(\d+)_replicas(\d+)_rank(\d+)$/.exec(name);
    if (m === null) throw new Error(`outputs.sampler/${name}: the case name must read total<T>_replicas<R>_rank<r>`);
    const s = distUnifTargSampler(Number(m[1]), labels, Number(m[2]), Number(m[3]), { numpySeed: seed });
    outputs[`sampler/${name}/epoch_indexes`] = s.epochIndexes;
    outputs[`sampler/${name}/process_ind`] = s.processIndexes;
  }
}

export const deeperclusterTargets: Component = {
  name: 'deepercluster_targets',
  describe: 'DeeperCluster rank tables, super-class × sub-class targets with rotation, two-head loss, rotate_img, DistUnifTargSampler',
  evaluate(file) {
    const outputs: Record<string, ArrayLike<number>> = {};
    rankTables(file, outputs);
    example(file, outputs);
    const img = goldenArray(tensorOf(file, 'inputs', 'rotate/img_HWC'), ['H', 'W', 'C'] as const, 'inputs.rotate/img_HWC');
    for (const key of Object.keys(file.outputs)) {
      const m = /^rotate\/(-?\d+)$/.exec(key);
      if (m !== null) outputs[key] = rotateImage(img, quarterTurns(Number(m[1]))).data;
    }
    samplers(file, outputs);
    const sub = goldenTensor(file, 'inputs', 'loss/sub_logits', ['B', 'Ksub']);
    const sup = goldenTensor(file, 'inputs', 'loss/super_logits', ['B', 'Ksup']);
    const subTarget = goldenTensor(file, 'inputs', 'loss/sub_target', ['B']);
    const superTarget = int(goldenData(tensorOf(file, 'inputs', 'loss/training_local_world_id'))[0], 'inputs.loss/training_local_world_id');
    const loss = evaluateCase(
      { sub_logits: sub, super_logits: sup },
      (v) => {
        const l = deeperClusterLoss(v['sub_logits'] as Tensor<['B', 'Ksub']>, v['super_logits'] as Tensor<['B', 'Ksup']>, subTarget as Tensor<['B']>, superTarget);
        return { loss: l.loss, outputs: { loss_subclass: l.subLoss, loss_superclass: l.superLoss } };
      },
      'loss/',
    );
    return { outputs: { ...outputs, ...loss.outputs }, grads: loss.grads };
  },
};
