import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import { dropout, dropPath, runLayer } from '../../src/nn/index.js';
import { key } from '../../src/runtime/prng.js';

const x = sg.fromArray(Array.from({ length: 4000 }, () => 1), ['B', 'C'], { B: 40, C: 100 });

describe('nn/dropout and dropPath', () => {
  it('are the identity in evaluation', () => {
    assert.equal(dropout(0.5).apply({}, x), x);
    assert.equal(runLayer(dropPath(0.5), {}, x).y, x);
  });

  it('dropout keeps about 1 - rate of the elements, scaled by 1/(1 - rate), and depends only on the key', () => {
    const y = sg.valueOf(runLayer(dropout(0.25), {}, x, { training: true, key: key(1) }).y);
    const kept = y.filter((v) => v !== 0);
    assert.ok(Math.abs(kept.length / y.length - 0.75) < 0.03, `kept ${kept.length}`);
    assert.ok(kept.every((v) => Math.abs(v - 1 / 0.75) < 1e-15));
    assert.deepEqual(y, sg.valueOf(runLayer(dropout(0.25), {}, x, { training: true, key: key(1) }).y));
    assert.notDeepEqual(y, sg.valueOf(runLayer(dropout(0.25), {}, x, { training: true, key: key(2) }).y));
  });

  it('dropPath drops whole samples', () => {
    const y = sg.valueOf(runLayer(dropPath(0.5), {}, x, { training: true, key: key(3) }).y);
    for (let b = 0; b < 40; b++) {
      const row = y.slice(b * 100, (b + 1) * 100);
      assert.ok(row.every((v) => v === 0) || row.every((v) => v === 2), `sample ${b} is partly dropped`);
    }
  });

  it('need a key in training mode and say so', () => {
    assert.throws(() => runLayer(dropout(0.1), {}, x, { training: true }), /dropout at \(root\) needs a key in training mode/);
    assert.throws(() => dropout(1), /rate 1 must be in \[0, 1\)/);
  });
});
