import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { loadSafetensors, saveSafetensors } from '../../../src/io/safetensors/tree.js';
import { SafetensorsError } from '../../../src/io/safetensors/format.js';
import { treeValues } from '../../../src/io/tree-values.js';
import { resmlp, resmlpTinyMnist } from '../../../src/nn/resmlp/resmlp.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { key } from '../../../src/runtime/prng.js';
import type { NDArray } from '../../../src/runtime/ndarray.js';
import { flattenTree } from '../../../src/ir/tree.js';
import { isNDArray } from '../../../src/io/tree-values.js';

const nd = (sizes: number[], data: number[], axes = sizes.map((_, i) => `a${i}`)): NDArray => ({ axes, sizes, data: Float64Array.from(data) });
const leaves = (tree: unknown) => flattenTree(tree, isNDArray).leaves;

describe('io/safetensors/tree', () => {
  const model = resmlp(resmlpTinyMnist);
  const params = model.init(key(0), {});

  it('names a model\'s tensors by their state_dict names and round-trips F64 exactly, F32 to float32', () => {
    const values = treeValues(params);
    const f64 = loadSafetensors(saveSafetensors(params, { dtype: 'F64', metadata: { model: 'resmlp-tiny' } }), params);
    assert.deepEqual(f64.problems, []);
    assert.deepEqual(f64.metadata, { model: 'resmlp-tiny' });
    assert.deepEqual(leaves(f64.params), leaves(values));
    const file = loadSafetensors(saveSafetensors(params));
    assert.deepEqual(Object.keys(file.tensors).sort(), parameterPaths(params).sort());
    assert.ok(Object.keys(file.tensors).includes('blocks.1.mlp.fc2.weight'));
    assert.equal(file.dtypes['head.weight'], 'F32');
    const f32 = loadSafetensors(saveSafetensors(values), params).params;
    leaves(values).forEach((v, i) => assert.deepEqual(Array.from(leaves(f32)[i]!.data), Array.from(v.data, Math.fround)));
    assert.deepEqual(leaves(f32).map((l) => l.axes), leaves(values).map((l) => l.axes), 'the model\'s axis names');
  });

  it('round-trips any tree of arrays and records (property)', () => {
    const arrayArb = fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 3 }).chain((sizes) =>
      fc.array(fc.double(), { minLength: sizes.reduce((a, b) => a * b, 1), maxLength: sizes.reduce((a, b) => a * b, 1) }).map((data) => nd(sizes, data)),
    );
    const treeArb = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, arrayArb, fc.array(tie('node'), { maxLength: 3 }), fc.dictionary(fc.stringMatching(/^[a-z_]{1,4}$/), tie('node'), { maxKeys: 3, noNullPrototype: true })),
    })).node;
    fc.assert(
      fc.property(treeArb, (tree) => {
        const bytes = saveSafetensors(tree, { dtype: 'F64' });
        const back = loadSafetensors(bytes, tree).params;
        const a = leaves(back);
        const b = leaves(tree);
        return a.length === b.length && a.every((x, i) => x.sizes.join() === b[i]!.sizes.join() && x.data.every((v, k) => Object.is(v, b[i]!.data[k])));
      }),
    );
  });

  it('names a missing, an extra and a mis-shaped tensor with both shapes', () => {
    const like = { head: { weight: nd([2, 3], [0, 0, 0, 0, 0, 0], ['K', 'C']), bias: nd([2], [7, 8], ['K']) } };
    const missing = saveSafetensors({ head: { weight: nd([2, 3], [1, 2, 3, 4, 5, 6]) } });
    assert.throws(() => loadSafetensors(missing, like), (e: unknown) => e instanceof SafetensorsError && /missing tensor head\.bias \(the model expects \[K=2\]\)/.test(e.message));
    const extra = saveSafetensors({ head: { weight: nd([2, 3], [1, 2, 3, 4, 5, 6]), bias: nd([2], [1, 2]) }, fc: { weight: nd([1], [0]) } });
    assert.throws(() => loadSafetensors(extra, like), /tensor fc\.weight \[1\] in the file has no place in the model/);
    const shaped = saveSafetensors({ head: { weight: nd([3, 2], [1, 2, 3, 4, 5, 6]), bias: nd([2], [1, 2]) } });
    assert.throws(() => loadSafetensors(shaped, like), /tensor head\.weight has shape \[3, 2\] in the file, the model expects \[K=2, C=3\]/);
    const loose = loadSafetensors(missing, like, { strict: false });
    assert.deepEqual(loose.problems, ['missing tensor head.bias (the model expects [K=2])']);
    assert.deepEqual(Array.from(loose.params.head.bias.data), [7, 8], 'keeps like\'s value');
    assert.deepEqual(Array.from(loose.params.head.weight.data), [1, 2, 3, 4, 5, 6]);
    const looseShape = loadSafetensors(shaped, { ...like, head: { ...like.head } }, { strict: false });
    assert.equal(looseShape.problems.length, 1);
  });

  it('loads against a model\'s symbolic init (Tensor leaves) and keeps its values when strict is off', () => {
    const partial = saveSafetensors({ head: treeValues(params.head) }, { dtype: 'F64' });
    const r = loadSafetensors(partial, params, { strict: false });
    assert.equal(r.problems.length, parameterPaths(params).length - 2);
    assert.deepEqual(leaves(r.params), leaves(treeValues(params)));
  });
});
