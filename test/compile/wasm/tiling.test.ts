import { strict as assert } from 'node:assert';
import { laneCoef } from '../../../src/compile/wasm/tiling.js';
import type { IndexExpr } from '../../../src/compile/kernel-ir.js';

const t: IndexExpr = { kind: 'thread', axis: 1 };
const l: IndexExpr = { kind: 'loop', id: 0 };
const int = (value: number): IndexExpr => ({ kind: 'int', value });
const add = (a: IndexExpr, b: IndexExpr): IndexExpr => ({ kind: 'iadd', a, b });
const mul = (a: IndexExpr, b: IndexExpr): IndexExpr => ({ kind: 'imul', a, b });
const div = (a: IndexExpr, d: number): IndexExpr => ({ kind: 'idiv', a, b: int(d) });
const mod = (a: IndexExpr, d: number): IndexExpr => ({ kind: 'imod', a, b: int(d) });
const lanes = { kind: 'thread', id: 1 } as const;

describe('compile/wasm/tiling: laneCoef', () => {
  it('reads a quotient by a multiple of four as constant across the lanes and the remainder as moving by one', () => {
    assert.equal(laneCoef(div(t, 4), lanes), 0);
    assert.equal(laneCoef(mod(t, 4), lanes), 1);
    assert.equal(laneCoef(add(mul(div(t, 4), int(8)), mod(t, 4)), lanes), 1);
    assert.equal(laneCoef(mod(add(t, mul(l, int(4))), 16), lanes), 1);
    assert.equal(laneCoef(div(add(mul(int(8), l), t), 8), lanes), 0);
  });

  it('refuses what can cross a multiple of four within a vector, or go negative', () => {
    assert.equal(laneCoef(div(add(t, int(2)), 4), lanes), null, 'an offset of 2');
    assert.equal(laneCoef(mod(add(t, mul(l, int(3))), 4), lanes), null, 'a counter times 3');
    assert.equal(laneCoef(div(t, 6), lanes), null, 'a divisor not a multiple of four');
    assert.equal(laneCoef(mod(add(t, int(-4)), 4), lanes), null, 'a negative part: remainders keep the sign');
    assert.equal(laneCoef(div(mul(t, int(2)), 4), lanes), null, 'the lane times 2');
    assert.equal(laneCoef(mod(add(t, t), 4), lanes), null, 'the lane twice');
  });

  it('is coef along a reduction loop', () => {
    assert.equal(laneCoef(mod(l, 4), { kind: 'loop', id: 0 }), null);
    assert.equal(laneCoef(add(l, mul(t, int(3))), { kind: 'loop', id: 0 }), 1);
  });
});
