#!/usr/bin/env node
// The shapegrad side of scripts/pytorch_xcit_interop.py: a short SwAV run of xcit-tiny
// (BatchNorm statistics updated by training), its backbone exported with `shapegrad export`
// (F32, official state_dict names), and the float64 features of the weights as written on
// test/fixtures/interop/images.json. Run after `npm run build`:
//   node scripts/interop-shapegrad-xcit.mjs
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArray, evaluate, random, loadSafetensors, treeConstants } from '../dist/src/index.js';
import { xcit, xcitMnist } from '../dist/src/nn/xcit/xcit.js';

const dir = 'test/fixtures/interop/';
const file = dir + 'shapegrad-xcit-tiny.safetensors';
const tmp = mkdtempSync(join(tmpdir(), 'shapegrad-xcit-'));
const cli = (...args) => execFileSync(process.execPath, ['dist/src/cli/main.js', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
try {
  cli('train', '--method', 'swav', '--model', 'xcit-tiny', '--batch-size', '16', '--max-steps', '5', '--backend', 'cpu', '--knn-train', '100', '--knn-test', '50', '--out', join(tmp, 'run'));
  process.stdout.write(cli('export', '--run', join(tmp, 'run'), '--format', 'safetensors', '--out', file));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const images = JSON.parse(readFileSync(dir + 'images.json', 'utf8'));
const model = xcit(xcitMnist);
const loaded = loadSafetensors(readFileSync(file), model.init(random.key(0))).params;
const f = evaluate(model.features(treeConstants(loaded), fromArray(images.data, ['B', 'Cin', 'H', 'W'], images.shape)));
writeFileSync(dir + 'shapegrad-xcit-tiny.features.json', JSON.stringify({ shape: f.sizes, float64: Array.from(f.data), note: 'shapegrad float64 features of shapegrad-xcit-tiny.safetensors' }));
console.log(`features [${f.sizes}] of ${file}`);
