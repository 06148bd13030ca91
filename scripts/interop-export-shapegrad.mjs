#!/usr/bin/env node
// The shapegrad side of scripts/pytorch_interop.py: a resmlp-tiny backbone as a
// shapegrad run initialises it (src/train/models.ts resmlpTiny, key 17), written
// as safetensors (F32) with the official state_dict names, and the float64
// features of the weights as written on test/fixtures/interop/images.json.
// Run after `npm run build`:   node scripts/interop-export-shapegrad.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { fromArray, evaluate, random, loadSafetensors, treeValues, treeConstants, nn } from '../dist/src/index.js';
import { writeSafetensors } from '../dist/src/node/index.js';
import { resmlpTiny } from '../dist/src/train/models.js';

const dir = 'test/fixtures/interop/';
const file = dir + 'shapegrad-resmlp-tiny.safetensors';
const images = JSON.parse(readFileSync(dir + 'images.json', 'utf8'));
const params = treeValues(resmlpTiny().init(random.key(17)));
const bytes = writeSafetensors(file, params, { dtype: 'F32', metadata: { format: 'pt', model: 'resmlp-tiny', made_by: 'scripts/interop-export-shapegrad.mjs' } });
const loaded = loadSafetensors(readFileSync(file), params).params;
const model = nn.resmlp(nn.resmlpTinyMnist);
const f = evaluate(model.features(treeConstants(loaded), fromArray(images.data, ['B', 'C', 'H', 'W'], images.shape)));
writeFileSync(dir + 'shapegrad-resmlp-tiny.features.json', JSON.stringify({ shape: f.sizes, float64: Array.from(f.data), note: 'shapegrad float64 features of shapegrad-resmlp-tiny.safetensors' }));
console.log(`wrote ${file} (${bytes} bytes) and its features [${f.sizes}]`);
