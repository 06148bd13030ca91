/**
 * dino_train_step.json: one whole iteration of main_dino.py's train_one_epoch,
 * run by the DINO trainer's own step function (train/dino-step.ts) on the
 * file's networks (a ViT and a DINO head, sizes from the file), crops,
 * schedule values, center and resumed optimiser state. The file's config.optimizer_flag names
 * main_dino.py's --optimizer ('adamw', 'sgd' or 'lars'; absent: 'adamw', as the golden set's), whose
 * resumed state is in its inputs: adamw/exp_avg_before/<name>, adamw/exp_avg_sq_before/<name>
 * and adamw/step_before, or sgd/momentum_buffer_before/<name>, or lars/mu_before/<name>.
 */
import type { Tensor } from '../../../ir/tensor.js';
import { concat } from '../../../ops/slicing.js';
import { fromArray, fullLike, scalar } from '../../../ops/sources.js';
import { reshape } from '../../../ops/layout.js';
import { leavesOf } from '../../../optim/optimizer.js';
import type { AdamWState } from '../../../optim/adamw.js';
import type { SgdState } from '../../../optim/sgd.js';
import { optimizerNames, type OptimizerName, type TrainOptimizerState } from '../../../train/optimizer-choice.js';
import { goldenData, type GoldenFile } from '../../../io/golden.js';
import { vit, type VitParams } from '../../../nn/vit/vit.js';
import type { VitImage } from '../../../nn/vit/patch-embed.js';
import { posEmbedGrid } from '../../../nn/vit/pos-embed.js';
import { dinoHead, type DinoHeadLayer } from '../../../nn/dino-head.js';
import { dino } from '../../../ssl/dino.js';
import { dinoOptimizer, dinoStep, type DinoNetwork } from '../../../train/dino-step.js';
import { tensorOf, type Component, type ComponentValue } from '../component.js';
import { goldenTensor } from '../layer-case.js';
import { dimOf, goldenParams } from './xcit-case.js';

type Record_ = Readonly<Record<string, unknown>>;

function section(file: GoldenFile, name: string): Record_ {
  const v = file.config[name];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`config.${name}: expected an object, got ${JSON.stringify(v)}`);
  return v as Record_;
}

function num(o: Record_, where: string, name: string): number {
  const v = o[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`config.${where}.${name}: expected a number, got ${JSON.stringify(v)}`);
  return v;
}

function flag(o: Record_, where: string, name: string): boolean {
  const v = o[name];
  if (typeof v !== 'boolean') throw new Error(`config.${where}.${name}: expected a boolean, got ${JSON.stringify(v)}`);
  return v;
}

/** A scalar input (int64 or float64). */
const inputScalar = (file: GoldenFile, name: string): number => goldenData(tensorOf(file, 'inputs', name))[0]!;

/** Entry `it` of a schedule input. */
function scheduleValue(file: GoldenFile, name: string, it: number): number {
  const v = goldenData(tensorOf(file, 'inputs', name))[it];
  if (v === undefined) throw new Error(`inputs.${name}: no value at it = ${it}`);
  return v;
}

/** The crops of a [n, B, C, H, W] input, one [B, C, H, W] tensor each. */
function crops(file: GoldenFile, name: string): Tensor<VitImage>[] {
  const g = tensorOf(file, 'inputs', name);
  if (g.shape.length !== 5) throw new Error(`inputs.${name}: shape [${g.shape.join(', ')}], expected [crops, B, C, H, W]`);
  const [n, ...rest] = g.shape as [number, number, number, number, number];
  const data = goldenData(g);
  const size = rest.reduce((a, b) => a * b, 1);
  return Array.from({ length: n }, (_, i) => fromArray(data.subarray(i * size, (i + 1) * size), ['B', 'C', 'H', 'W'], rest, ) as Tensor<VitImage>);
}

/** The number of ViT blocks named in the student's params. */
function depthOf(file: GoldenFile): number {
  const ks = Object.keys(file.params).flatMap((k) => /^student\/backbone\.blocks\.(\d+)\./.exec(k)?.[1] ?? []).map(Number);
  if (ks.length === 0) throw new Error('params: no student/backbone.blocks.<k>.* parameters');
  return Math.max(...ks) + 1;
}

/** The student's ViT, sized by the file's parameters. */
function backboneOf(file: GoldenFile) {
  const v = section(file, 'vit');
  const at = (name: string, i: number) => dimOf(file, 'params', `student/backbone.${name}`, i);
  const p = at('patch_embed.proj.weight', 2);
  const eps = v['layernorm_eps'];
  if (eps !== undefined && eps !== 1e-6) throw new Error(`config.vit.layernorm_eps: the ViT uses 1e-6, the file ${JSON.stringify(eps)}`);
  return vit({
    imgSize: posEmbedGrid(goldenTensor(file, 'params', 'student/backbone.pos_embed', ['1a', 'N', 'C'])) * p,
    patchSize: p,
    inChans: at('patch_embed.proj.weight', 1),
    embedDim: at('cls_token', 2),
    depth: depthOf(file),
    heads: num(v, 'vit', 'num_heads'),
    mlpHidden: at('blocks.0.mlp.fc1.weight', 0),
    qkvBias: file.params['student/backbone.blocks.0.attn.qkv.bias'] !== undefined,
  });
}

/** The DINO head, sized by the file's parameters. */
function headOf(file: GoldenFile, inDim: number): DinoHeadLayer {
  const h = section(file, 'head');
  const v = (i: number) => dimOf(file, 'params', 'student/head.last_layer.weight_v', i);
  return dinoHead({
    inDim,
    outDim: v(0),
    bottleneckDim: v(1),
    hiddenDim: num(h, 'head', 'hidden_dim'),
    nlayers: num(h, 'head', 'nlayers'),
    useBn: flag(h, 'head', 'use_bn'),
    normLastLayer: flag(h, 'head', 'norm_last_layer'),
  });
}

/** The optimiser the file's step used: config.optimizer_flag (main_dino.py's --optimizer), 'adamw' when absent. */
function optimizerOf(file: GoldenFile): OptimizerName {
  const v = file.config['optimizer_flag'] ?? 'adamw';
  if (!(optimizerNames as readonly unknown[]).includes(v)) throw new Error(`config.optimizer_flag: expected one of ${optimizerNames.join(', ')}, got ${JSON.stringify(v)}`);
  return v as OptimizerName;
}

/** A tree like the student from the file's inputs `<prefix>/<name>`: zeros for a parameter that has none (it never had a gradient). */
function stateTree(file: GoldenFile, student: DinoNetwork, prefix: string): DinoNetwork {
  const { leaves, rebuild } = leavesOf(student);
  // Unnamed constants: a training step is no forward program over the file's inputs (forward-program.ts, ONNX export).
  return rebuild<DinoNetwork>(
    leaves.map((l) => {
      const g = file.inputs[`${prefix}/${l.path}`];
      if (g === undefined) return fullLike(0, l.value);
      if (g.shape.join() !== l.value.sizes.join()) throw new Error(`inputs.${prefix}/${l.path}: shape [${g.shape.join(', ')}], the parameter [${l.value.sizes.join(', ')}]`);
      return fromArray(goldenData(g), [...l.value.axes], l.value.sizes);
    }),
  );
}

/** Where each optimiser's momentum buffers lie among the inputs (torch's state names). */
const bufferPrefix: Readonly<Record<Exclude<OptimizerName, 'adamw'>, string>> = { sgd: 'sgd/momentum_buffer_before', lars: 'lars/mu_before' };

/** The resumed optimiser state: AdamW's moments and step count, or the momentum buffers. */
function resumedState(file: GoldenFile, optimizer: OptimizerName, student: DinoNetwork): TrainOptimizerState {
  if (optimizer !== 'adamw') return { momentum: stateTree(file, student, bufferPrefix[optimizer]) } satisfies SgdState;
  return { m: stateTree(file, student, 'adamw/exp_avg_before'), v: stateTree(file, student, 'adamw/exp_avg_sq_before'), t: scalar(inputScalar(file, 'adamw/step_before')) } satisfies AdamWState;
}

/**
 * concat along `axis` as a tree of concats of at most 4 parts: a GPU kernel reads a bounded
 * number of buffers (WebGPU: 7, headlessgl: 15), and the compiler can give a buffer of its own
 * only to a part that fits the limit by itself, never split one concat's inputs.
 */
const CONCAT_PARTS = 4;
function concatInChunks<S extends string[]>(parts: readonly Tensor<S>[], axis: S[number]): Tensor<S> {
  if (parts.length <= CONCAT_PARTS) return concat(parts, axis);
  const chunks = Array.from({ length: Math.ceil(parts.length / CONCAT_PARTS) }, (_, i) => concat(parts.slice(i * CONCAT_PARTS, (i + 1) * CONCAT_PARTS), axis));
  return concatInChunks(chunks, axis);
}

export const dinoTrainStepComponent: Component = {
  name: 'dino_train_step',
  describe: "one DINO iteration by the trainer's step: multi-crop, DINOLoss and center, per-tensor clipping, frozen last layer, AdamW, SGD or LARS with DINO's groups, EMA teacher",
  evaluate(file) {
    const net = backboneOf(file);
    const embedDim = dimOf(file, 'params', 'student/backbone.cls_token', 2);
    const head = headOf(file, embedDim);
    const template = { backbone: net.init([0, 0], {}), head: head.init([0, 1], {}) };
    const student = goldenParams<DinoNetwork>(file, template, 'student/');
    const teacher = goldenParams<DinoNetwork>(file, template, 'teacher/');
    const loss = section(file, 'dino_loss');
    const globals = crops(file, 'global_crops');
    const views = [...globals, ...crops(file, 'local_crops')];
    const objective = dino({
      ncrops: num(loss, 'dino_loss', 'ncrops'),
      teacherViews: globals.length,
      warmupTeacherTemp: num(loss, 'dino_loss', 'warmup_teacher_temp'),
      teacherTemp: num(loss, 'dino_loss', 'teacher_temp'),
      warmupTeacherTempEpochs: num(loss, 'dino_loss', 'warmup_teacher_temp_epochs'),
      nepochs: num(loss, 'dino_loss', 'nepochs'),
      studentTemp: num(loss, 'dino_loss', 'student_temp'),
      centerMomentum: num(loss, 'dino_loss', 'center_momentum'),
    });
    const epoch = inputScalar(file, 'epoch');
    const it = inputScalar(file, 'it');
    const optimizer = optimizerOf(file);
    const step = dinoStep<Tensor<VitImage>>({
      features: (p, x, ctx) => net.apply(p as VitParams, x, ctx),
      head,
      objective,
      optimizer: dinoOptimizer(optimizer),
      clipGrad: num(file.config, 'config', 'clip_grad'),
      epoch,
    });
    const center = goldenTensor(file, 'params', 'dino_loss/center', ['1', 'K']);
    const r = step({
      student,
      teacher,
      center: fromArray(goldenData(tensorOf(file, 'params', 'dino_loss/center')), ['K'], [center.size('K')]),
      opt: resumedState(file, optimizer, student),
      views,
      lr: scalar(scheduleValue(file, 'lr_schedule', it)),
      weightDecay: scalar(scheduleValue(file, 'wd_schedule', it)),
      momentum: scalar(scheduleValue(file, 'momentum_schedule', it)),
      lastLayerLearns: scalar(epoch >= num(file.config, 'config', 'freeze_last_layer') ? 1 : 0),
      // The last layer has no AdamW state: it sat out every step so far (SGD and LARS count no steps).
      lastLayerSkipped: scalar(optimizer === 'adamw' ? inputScalar(file, 'adamw/step_before') : 0),
    });
    const byPath = (tree: unknown): Record<string, Tensor> => Object.fromEntries(leavesOf(tree).leaves.map((l) => [l.path, l.value]));
    const prefixed = (prefix: string, rec: Readonly<Record<string, Tensor>>, keep: (key: string) => boolean = () => true) =>
      Object.fromEntries(Object.entries(rec).flatMap(([k, v]) => (keep(`${prefix}${k}`) ? [[`${prefix}${k}`, v]] : [])));
    const inFile = (where: 'outputs' | 'grads') => (key: string) => file[where][key] !== undefined;
    // clip_gradients' order: the student's named_parameters() (the file's params order) that have a gradient.
    const normOrder = Object.keys(file.params).flatMap((k) => (k.startsWith('student/') && r.gradNorms[k.slice(8)] !== undefined ? [r.gradNorms[k.slice(8)]!] : []));
    const outputs: Record<string, ComponentValue> = {
      loss: r.loss,
      center: r.center,
      ...prefixed('student/', byPath(r.student)),
      ...prefixed('teacher/', byPath(r.teacher)),
      'debug/student_output': concatInChunks(r.studentOutput, 'B'),
      'debug/teacher_output': concat(r.teacherOutput, 'B'),
      'debug/teacher_temp': [objective.teacherTemperature.at(epoch)],
      ...(normOrder.length > 0 ? { 'debug/grad_norms': concatInChunks(normOrder.map((n) => reshape(n, ['P'], [1])), 'P') } : {}),
      ...prefixed('debug/grad_used/', byPath(r.clipped), inFile('outputs')),
    };
    return { outputs, grads: prefixed('student/', byPath(r.grads), inFile('grads')) };
  },
};
