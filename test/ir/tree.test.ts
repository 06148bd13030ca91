import { strict as assert } from 'node:assert';
import { flattenTree, unflattenTree } from '../../src/ir/tree.js';

const isNumber = (x: unknown): x is number => typeof x === 'number';

describe('ir/tree', () => {
  it('flattens records (sorted keys) and arrays with paths, and rebuilds them', () => {
    const tree = { b: [1, { c: 2 }], a: 3 };
    const flat = flattenTree(tree, isNumber);
    assert.deepEqual(flat.leaves, [3, 1, 2]);
    assert.deepEqual(flat.paths, ['a', 'b[0]', 'b[1].c']);
    assert.deepEqual(unflattenTree(flat.def, [30, 10, 20]), { a: 30, b: [10, { c: 20 }] });
  });

  it('names the path of a leaf that is not allowed', () => {
    assert.throws(() => flattenTree({ a: [1, 'x'] }, isNumber), /a\[1\] is not a tensor \(got string\)/);
  });

  it('rejects too few or too many leaves', () => {
    const { def } = flattenTree([1, 2], isNumber);
    assert.throws(() => unflattenTree(def, [1]), /too few/);
    assert.throws(() => unflattenTree(def, [1, 2, 3]), /left over/);
  });
});
