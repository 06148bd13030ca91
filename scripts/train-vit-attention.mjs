#!/usr/bin/env node
/**
 * Trains the weights notebook 10 loads (examples/weights/vit-tiny-dino-mnist.safetensors):
 * vit-tiny with DINO on MNIST for 3,000 steps of batch 32 (two global and four local views,
 * teacher temperature 0.02, the head's last layer frozen for the first 150 steps), and every
 * 250 steps prints where the last block's CLS attention goes on 100 test digits (its share on
 * ink patches, and how many of 49 patches a 60% mask keeps) for the teacher and the student,
 * and writes the teacher's backbone to OUT/teacher-STEP.safetensors.
 *
 *   npm run build && node scripts/train-vit-attention.mjs [STEPS] [OUT]   # about 35 minutes here
 */
import fs from 'node:fs';
import path from 'node:path';
import * as sg from '../dist/src/index.js';
import { loadMnist } from '../dist/src/node/index.js';
import { dinoTrainer, imageBatches, classAttentionMaps, attentionMaskMaps } from '../dist/src/train/index.js';
import { first } from '../dist/src/notebook/index.js';

const steps = Number(process.argv[2] ?? 3000);
const out = process.argv[3] ?? 'vit-attention-run';
if (!Number.isInteger(steps) || steps < 1) throw new Error(`STEPS must be a positive whole number, got ${process.argv[2]}`);
fs.mkdirSync(out, { recursive: true });
const every = 250;
const side = 7;
const patch = 4;

const train = loadMnist('train');
const test = loadMnist('test');
const trainer = dinoTrainer({ model: 'vit-tiny', batchSize: 32, localViews: 4, outDim: 256, teacherTemp: 0.02, lr: 5e-4, warmupSteps: 100, plannedSteps: steps, freezeLastLayerSteps: 150, seed: 0 });
const net = trainer.backbone;

const m = 100;
const sample = first(test, m);
const images = Float32Array.from(sample.images);
/** Per image, 1 for the 4×4 patches whose mean is at least a fifth of the image's brightest patch. */
const ink = Array.from({ length: m }, (_, i) => {
  const means = Array.from({ length: side * side }, (_, p) => {
    const [r, c] = [Math.floor(p / side), p % side];
    let s = 0;
    for (let y = 0; y < patch; y++) for (let x = 0; x < patch; x++) s += images[i * 784 + (r * patch + y) * 28 + c * patch + x];
    return s / (patch * patch);
  });
  const top = Math.max(...means);
  return means.map((v) => (v >= top / 5 ? 1 : 0));
});
const inkShare = ink.flat().reduce((a, b) => a + b, 0) / (m * side * side);

async function attentionSummary(params) {
  const maps = await classAttentionMaps(net, params, images, m);
  const masks = attentionMaskMaps(maps, 0.6);
  let onInk = 0;
  let total = 0;
  let kept = 0;
  let heads = 0;
  maps.maps.forEach((hs, i) =>
    hs.forEach((g, h) => {
      for (let p = 0; p < side * side; p++) {
        total += g.data[p];
        onInk += g.data[p] * ink[i][p];
        kept += masks.maps[i][h].data[p];
      }
      heads++;
    }),
  );
  return `attention on ink ${(onInk / total).toFixed(3)} (ink patches ${inkShare.toFixed(3)}), a 60% mask keeps ${(kept / heads).toFixed(1)} of 49`;
}

let state = trainer.initState();
const batches = imageBatches(train, 32, sg.random.key(1));
console.log(`step 0: teacher ${await attentionSummary(state.teacher.backbone)}`);
const t0 = performance.now();
for (let i = 1; i <= steps; i++) {
  const r = await trainer.step(state, batches.next().value);
  state = r.state;
  if (i % every === 0 || i === steps) {
    const seconds = ((performance.now() - t0) / 1000).toFixed(0);
    console.log(`step ${i} (${seconds} s), loss ${r.loss.toFixed(3)}: teacher ${await attentionSummary(state.teacher.backbone)}; student ${await attentionSummary(state.student.backbone)}`);
    fs.writeFileSync(path.join(out, `teacher-${i}.safetensors`), sg.saveSafetensors(state.teacher.backbone, { metadata: { model: 'vit-tiny', method: 'dino', steps: String(i) } }));
  }
}
trainer.destroy();
