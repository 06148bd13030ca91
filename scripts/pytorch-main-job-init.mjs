#!/usr/bin/env node
// The initial networks of the main job (`npm start`: DINO, xcit-tiny, head 32 -> 128 -> 128 -> 64 -> 256)
// for scripts/pytorch_main_job.py: the student that DinoTrainer.initState() builds for --seed N
// (the teacher is its copy), written as bench/pytorch/peer.py reads tensors: DIR/job.json (a
// manifest of shapegrad tree paths, shapes and offsets) and DIR/tensors.bin (float32 little-endian).
// It builds the networks as initState does (split(key(seed), 3): backbone, head) without compiling
// the training step; `--check` also builds the trainer and checks that its initState() is the same.
// Run after `npm run build`:   node scripts/pytorch-main-job-init.mjs --seed 0 --out DIR [--check]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluate, flattenTree } from '../dist/src/index.js';
import { key as makeKey, split } from '../dist/src/runtime/prng.js';
import { backbone } from '../dist/src/train/models.js';
import { dinoHead } from '../dist/src/nn/dino-head.js';
import { defaultDinoConfig, dinoTrainer } from '../dist/src/train/dino.js';

const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? undefined : args[i + 1];
};
const seed = Number(flag('seed') ?? 0);
const out = flag('out');
if (!Number.isInteger(seed) || seed < 0 || out === undefined) {
  console.error('usage: node scripts/pytorch-main-job-init.mjs --seed N --out DIR [--check]');
  process.exit(2);
}

const c = defaultDinoConfig; // the CLI's DINO defaults (train/methods/dino.ts) are the trainer's: xcit-tiny, out 256, hidden 128, bottleneck 64
const net = backbone(c.model, c.image);
const head = dinoHead({ inDim: net.dim, outDim: c.outDim, hiddenDim: c.hiddenDim, bottleneckDim: c.bottleneckDim });
const [kb, kh] = split(makeKey(seed), 3);
const student = evaluate({ backbone: net.init(kb), head: head.init(kh, {}) });

const isLeaf = (x) => typeof x === 'object' && x !== null && x.data instanceof Float64Array;
const flat = flattenTree(student, isLeaf);

if (args.includes('--check')) {
  const trainer = dinoTrainer({ seed });
  try {
    const want = flattenTree(trainer.initState().student, isLeaf);
    if (want.paths.join() !== flat.paths.join()) throw new Error('the trainer\'s initState() has other parameters');
    want.leaves.forEach((leaf, i) => {
      const got = flat.leaves[i].data;
      for (let j = 0; j < leaf.data.length; j++) if (leaf.data[j] !== got[j]) throw new Error(`${want.paths[i]}[${j}]: ${got[j]} here, ${leaf.data[j]} in initState()`);
    });
    console.error(`check: the same ${flat.leaves.length} tensors as dinoTrainer({ seed: ${seed} }).initState().student`);
  } finally {
    trainer.destroy();
  }
}

const manifest = {};
let total = 0;
flat.leaves.forEach((leaf, i) => {
  manifest[`student.${flat.paths[i]}`] = { shape: leaf.sizes, offset: total };
  total += leaf.data.length;
});
const all = new Float32Array(total);
flat.leaves.forEach((leaf, i) => all.set(leaf.data, manifest[`student.${flat.paths[i]}`].offset));
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'tensors.bin'), new Uint8Array(all.buffer));
writeFileSync(path.join(out, 'job.json'), JSON.stringify({ seed, model: c.model, outDim: c.outDim, hiddenDim: c.hiddenDim, bottleneckDim: c.bottleneckDim, made_by: 'scripts/pytorch-main-job-init.mjs', tensors: manifest }));
console.error(`wrote ${out}: ${flat.leaves.length} tensors, ${total} values (seed ${seed})`);
