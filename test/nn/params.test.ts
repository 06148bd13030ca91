import { strict as assert } from 'node:assert';
import * as sg from '../../src/index.js';
import { getPath, parameterPaths, setPath, withUpdates } from '../../src/nn/params.js';

const t = (v: number) => sg.fromArray([v], [], []);

describe('nn/params', () => {
  const tree = { blocks: [{ attn: { weight: t(1) } }, { attn: { weight: t(2) } }], norm: { bias: t(3) } };

  it('reads and replaces leaves by PyTorch-style dotted paths', () => {
    assert.equal(getPath(tree, 'blocks.1.attn.weight'), tree.blocks[1]!.attn.weight);
    const replaced = setPath(tree, 'blocks.0.attn.weight', t(9));
    assert.equal(sg.valueOf(getPath(replaced, 'blocks.0.attn.weight') as sg.Tensor)[0], 9);
    assert.equal(replaced.blocks[1], tree.blocks[1], 'untouched branches are shared');
    assert.equal(sg.valueOf(tree.blocks[0]!.attn.weight)[0], 1, 'the original is unchanged');
    assert.ok(Array.isArray(replaced.blocks));
  });

  it('names a missing field or index', () => {
    assert.throws(() => getPath(tree, 'blocks.2.attn'), /parameter path blocks.2.attn: no element 2/);
    assert.throws(() => getPath(tree, 'norm.weight'), /no field weight/);
  });

  it('lists parameter paths as PyTorch names them', () => {
    assert.deepEqual(parameterPaths(tree), ['blocks.0.attn.weight', 'blocks.1.attn.weight', 'norm.bias']);
  });

  it('withUpdates applies emitted values at existing paths only', () => {
    const next = withUpdates(tree, { 'norm.bias': t(5), 'blocks.0.attn.attention': t(7) });
    assert.equal(sg.valueOf(next.norm.bias)[0], 5);
    assert.equal((next.blocks[0]!.attn as Record<string, unknown>)['attention'], undefined);
  });
});
