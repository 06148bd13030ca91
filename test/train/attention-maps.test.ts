import { strict as assert } from 'node:assert';
import { evaluate } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import { loadMnist } from '../../src/data/mnist.js';
import { xcitTiny, resmlpTiny, vitTinyBackbone } from '../../src/train/models.js';
import { attentionPlot, classAttentionMaps, patchGrids } from '../../src/train/attention-maps.js';

describe('train/attention-maps', () => {
  it('patchGrids drops the class token and lays each head on the patch grid', () => {
    const data = Float64Array.from({ length: 2 * 3 * 5 }, (_, i) => i);
    const grids = patchGrids({ axes: ['B', 'Hd', 'N'], sizes: [2, 3, 5], data }, 2);
    assert.equal(grids.length, 2);
    assert.equal(grids[1]!.length, 3);
    assert.deepEqual(Array.from(grids[1]![2]!.data), [26, 27, 28, 29]);
    assert.throws(() => patchGrids({ axes: ['B', 'Hd', 'N'], sizes: [2, 3, 5], data }, 3), /5 tokens is not 1 \+ 3×3 patches/);
  });

  it('the tiny XCiT looks at 7×7 patches with weights that are a distribution with the class token', async () => {
    const net = xcitTiny();
    const params = evaluate(net.init(key(1)) as never);
    const images = loadMnist('test').images.subarray(0, 3 * 784);
    const maps = await classAttentionMaps(net, params, Float32Array.from(images), 3);
    assert.equal(maps.source, 'cls_attn_blocks.1.attn.attention');
    assert.equal(maps.maps.length, 3);
    for (const heads of maps.maps) {
      assert.equal(heads.length, 4);
      for (const g of heads) {
        assert.equal(g.height, 7);
        const patchMass = Array.from(g.data).reduce((a, b) => a + b, 0);
        assert.ok(patchMass > 0 && patchMass < 1, `patch weights sum to ${patchMass}, the rest is the class token's`);
      }
    }
    const svg = attentionPlot(Float32Array.from(images), [7, 2, 1], maps, 'class attention');
    assert.match(svg, /label 7/);
    assert.match(svg, /head 3/);
  });

  it("the tiny ViT's maps are the CLS row of its last block's self-attention, on the 7×7 patch grid", async () => {
    const net = vitTinyBackbone();
    const params = evaluate(net.init(key(1)) as never);
    const images = Float32Array.from(loadMnist('test').images.subarray(0, 2 * 784));
    const maps = await classAttentionMaps(net, params, images, 2);
    assert.equal(maps.source, 'blocks.3.attn.attention');
    assert.equal(maps.maps.length, 2);
    for (const heads of maps.maps) {
      assert.equal(heads.length, 4);
      for (const g of heads) {
        assert.deepEqual([g.height, g.width], [7, 7]);
        const patchMass = Array.from(g.data).reduce((a, b) => a + b, 0);
        assert.ok(patchMass > 0 && patchMass < 1, `patch weights sum to ${patchMass}, the rest is the CLS token's own`);
      }
    }
  });

  it('a backbone without class attention is refused by name', async () => {
    const net = resmlpTiny();
    const params = evaluate(net.init(key(1)) as never);
    await assert.rejects(classAttentionMaps(net, params, new Float32Array(2 * 784), 2), /resmlp-tiny backbone has no class attention/);
  });
});
