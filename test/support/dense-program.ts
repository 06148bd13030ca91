/** A small dense layer program and its inputs, shared by the compile tests of every backend, and a relative closeness check. */
import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';

/** |actual - expected| <= rel x the largest |expected| (at least 1e-6), element by element. */
export function close(actual: Float64Array, expected: Float64Array, rel = 1e-4): void {
  assert.equal(actual.length, expected.length);
  const scale = Math.max(1e-6, ...Array.from(expected, Math.abs));
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]!) <= rel * scale, `element ${i}: ${v} vs ${expected[i]}`));
}

/** gelu(x·w + b) with x [B=2, C=4], w [C, D=3], b [D]. */
export const dense = sg.trace(
  (x, w, b) => sg.gelu(sg.add(sg.einsum('B C, C D -> B D', x, w), sg.broadcast(b, ['B', 'D'], { B: 2, D: 3 }))),
  sg.spec(['B', 'C'], [2, 4], 'x'),
  sg.spec(['C', 'D'], [4, 3], 'w'),
  sg.spec(['D'], [3], 'b'),
);
export const xs = Array.from({ length: 8 }, (_, i) => i / 8 - 0.5);
export const ws = Array.from({ length: 12 }, (_, i) => Math.sin(i));
export const bs = [0.1, 0.2, 0.3];
