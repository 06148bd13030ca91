import { strict as assert } from 'node:assert';
import { diagnose, embeddingStd, firstNonFinite, occupancy, prototypeOccupancy, teacherEntropy } from '../../src/ssl/diagnostics.js';
import { fromArray } from '../../src/ops/sources.js';
import { add, div, log, mul, sqrt } from '../../src/ops/elementwise.js';
import { sum } from '../../src/ops/reduce.js';
import { softmax } from '../../src/ops/softmax.js';
import { spec, trace } from '../../src/ir/trace.js';
import { evaluate } from '../../src/runtime/interpret.js';
import { key, normal } from '../../src/runtime/prng.js';
import type { NDArray } from '../../src/runtime/ndarray.js';

const K = 64;
const B = 32;

function matrix(data: Float64Array, rows: number, cols: number, axes: readonly [string, string] = ['B', 'K']): NDArray {
  return { axes, sizes: [rows, cols], data };
}

/** A healthy teacher: softmax of random logits (different rows favour different prototypes). */
function healthyTeacher(seed: number): NDArray {
  const logits = fromArray(normal(key(seed), B * K), ['B', 'K'], [B, K]);
  return evaluate(softmax(mul(logits, 2), 'K'));
}

describe('ssl/diagnostics', () => {
  it('teacher entropy: a one-hot constant teacher and a uniform teacher are collapsed; a random healthy teacher is not', () => {
    const oneHot = new Float64Array(B * K);
    for (let b = 0; b < B; b++) oneHot[b * K + 3] = 1;
    const v1 = diagnose({ teacher: matrix(oneHot, B, K) });
    assert.equal(v1.status, 'collapsed');
    assert.match(v1.message, /^collapsed: teacher entropy 0\.00 of log K = 4\.16/);
    assert.match(v1.message, /dimension 3 holds 100%/);

    const uniform = new Float64Array(B * K).fill(1 / K);
    const v2 = diagnose({ teacher: matrix(uniform, B, K) });
    assert.equal(v2.status, 'collapsed');
    assert.match(v2.message, /teacher entropy 4\.16 of log K = 4\.16 \(every row is near uniform\)/);

    const healthy = diagnose({ teacher: healthyTeacher(1) });
    assert.equal(healthy.status, 'healthy', healthy.message);
    assert.equal(healthy.collapsed, false);

    // DINO without centering and a tiny teacher temperature: every row's arg-max is the same prototype.
    const logits = normal(key(2), B * K).map((v, i) => v + (i % K === 5 ? 8 : 0));
    const sharp = diagnose({ teacher: matrix(logits, B, K), teacherOptions: { logits: true, temperature: 0.01 } });
    assert.equal(sharp.status, 'collapsed', sharp.message);
    const r = teacherEntropy(matrix(logits, B, K), { logits: true, temperature: 0.01 });
    assert.ok(r.meanEntropy < 0.05 * r.logK && r.dominant === 5);
  });

  it('embedding std: identical embeddings ≈ 0 (collapsed), random ones ≈ 1/√d (healthy)', () => {
    const d = 16;
    const same = new Float64Array(100 * d);
    for (let i = 0; i < 100; i++) same.set(normal(key(1), d), i * d);
    const c = embeddingStd(matrix(same, 100, d, ['N', 'D']));
    assert.ok(c.std < 1e-12);
    assert.equal(diagnose({ embeddings: matrix(same, 100, d, ['N', 'D']) }).status, 'collapsed');
    const h = embeddingStd(matrix(normal(key(2), 500 * d), 500, d, ['N', 'D']));
    assert.ok(Math.abs(h.std - 0.25) < 0.02, `std ${h.std}`);
    assert.match(diagnose({ embeddings: matrix(normal(key(2), 500 * d), 500, d, ['N', 'D']) }).message, /^healthy: embedding std 0\.2\d+ \(healthy ≈ 1\/√16 = 0\.2500\)/);
    // The feature axis need not be last.
    const t = embeddingStd({ axes: ['D', 'N'], sizes: [2, 3], data: Float64Array.from([1, 1, 1, 0, 0, 0]) }, 'D');
    assert.equal(t.std, 0);
  });

  it('occupancy of clusters and prototypes', () => {
    const o = occupancy([0, 0, 2, 2, 2], 4);
    assert.deepEqual(Array.from(o.counts), [2, 0, 3, 0]);
    assert.equal(o.empty, 2);
    assert.equal(o.emptyFraction, 0.5);
    assert.equal(o.largest, 2);
    assert.equal(diagnose({ clusters: { assignments: new Array(50).fill(1), k: 10 } }).status, 'collapsed');
    assert.equal(diagnose({ clusters: { assignments: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], k: 10 } }).status, 'healthy');
    assert.equal(diagnose({ clusters: { assignments: [0, 1, 0, 1], k: 10 } }).status, 'warning');
    const p = prototypeOccupancy(matrix(Float64Array.from([0.1, 0.9, 0.8, 0.2, 0.3, 0.7]), 3, 2));
    assert.deepEqual(Array.from(p.counts), [1, 2]);
    assert.equal(diagnose({ prototypes: healthyTeacher(3) }).findings[0]!.check, 'prototypes');
  });

  it('firstNonFinite names log(0) as the first bad node, in a tree of tensors and in a traced graph', () => {
    const x = fromArray([1, 0, 2], ['N'], [3]);
    const y = sum(mul(log(x), 2));
    const bad = firstNonFinite({ loss: y, other: add(x, 1) });
    assert.ok(bad !== undefined);
    assert.equal(bad.op, 'log');
    assert.deepEqual(bad.inputs, ['constant']);
    assert.equal(bad.elementIndex, 1);
    assert.equal(bad.value, -Infinity);
    assert.match(bad.message, /\(log of constant\) produced -Infinity at element 1/);
    assert.equal(firstNonFinite(add(x, 1)), undefined);
    const program = trace((v) => sqrt(div(v, v)), spec(['N'], [2]));
    const nan = firstNonFinite(program.graph, [[0, 0]]);
    assert.equal(nan?.op, 'div');
    assert.equal(firstNonFinite(program.graph, [[1, 3]]), undefined);
    const v = diagnose({ tensors: { y }, teacher: healthyTeacher(4) });
    assert.equal(v.status, 'non-finite');
    assert.match(v.message, /^non-finite: node \d+ \(log of constant\)/);
  });
});
