import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { regnetPathFromVissl, regnetVisslName } from '../../../src/nn/regnet/vissl-names.js';
import { regnet, regnetYTinyMnist } from '../../../src/nn/regnet/regnet.js';
import { parameterPaths } from '../../../src/nn/params.js';
import { key } from '../../../src/runtime/prng.js';

describe('nn/regnet/vissl-names', () => {
  it("maps SEER's feature blocks (conv1, res2, res3, …) to classy-vision's paths and back", () => {
    assert.equal(regnetPathFromVissl('_feature_blocks.conv1.stem.1.running_var'), 'stem.stem.1.running_var');
    assert.equal(regnetPathFromVissl('_feature_blocks.res3.block2-1.f.se.excitation.0.bias'), 'trunk_output.block2.block2-1.f.se.excitation.0.bias');
    assert.equal(regnetVisslName('trunk_output.block1.block1-0.proj.weight'), '_feature_blocks.res2.block1-0.proj.weight');
  });

  it('round-trips every parameter path of a RegNet (any stage and block numbers)', () => {
    for (const path of parameterPaths(regnet(regnetYTinyMnist).init(key(0), {}))) assert.equal(regnetPathFromVissl(regnetVisslName(path)), path);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 40 }), fc.constantFrom('f.a.0.weight', 'bn.bias', 'f.final_bn.num_batches_tracked'), (s, i, rest) => {
        const path = `trunk_output.block${s}.block${s}-${i}.${rest}`;
        assert.equal(regnetPathFromVissl(regnetVisslName(path)), path);
      }),
    );
  });

  it('refuses names that are not RegNet trunk parameters, and a feature block holding the wrong stage', () => {
    assert.throws(() => regnetPathFromVissl('heads.0.weight'), /heads.0.weight: not a VISSL RegNet trunk parameter/);
    assert.throws(() => regnetPathFromVissl('_feature_blocks.res2.block2-0.f.c.weight'), /res2 does not hold block2/);
    assert.throws(() => regnetVisslName('trunk_output.block1.block2-0.f.c.weight'), /block2-0 under trunk_output.block1/);
  });
});
