import { strict as assert } from 'node:assert';
import { availableBackends } from '../../src/compile/index.js';
import { key } from '../../src/runtime/prng.js';
import { loadMnist } from '../../src/data/mnist.js';
import { gatherImages } from '../../src/data/loader.js';
import { compileMultiCrop, dinoCrops, multiCropSpecs, pawsCrops, sampleMultiCrop, swavCrops, withChannel, multiCropViews } from '../../src/data/multi-crop.js';
import { spec, trace } from '../../src/ir/trace.js';
import { run } from '../../src/runtime/interpret.js';
import type { ViewTensors } from '../../src/data/augment/view.js';
import type { MultiCropConfig } from '../../src/data/multi-crop.js';
import { flattenTree } from '../../src/ir/tree.js';

const src = { height: 28, width: 28 };

describe('data/multi-crop', () => {
  it('the presets: DINO 2x28 + 8x12, SwAV 2x28 + 6x12, PAWS 2x28 + 6x16, with the official scale ranges', () => {
    const dino = dinoCrops();
    assert.equal(dino.global.length, 2);
    assert.equal(dino.local.length, 8);
    assert.deepEqual(dino.global.map((v) => v.scale), [[0.4, 1], [0.4, 1]]);
    assert.deepEqual(dino.local[0]!.scale, [0.05, 0.4]);
    assert.deepEqual([dino.global[0]!.blur!.p, dino.global[1]!.blur!.p, dino.global[1]!.solarize, dino.local[0]!.blur!.p], [1, 0.1, 0.2, 0.5]);
    assert.equal(dino.local[0]!.size, 12);
    const swav = swavCrops();
    assert.deepEqual([swav.global.length, swav.local.length, swav.local[0]!.size], [2, 6, 12]);
    assert.deepEqual([swav.global[0]!.scale, swav.local[0]!.scale], [[0.14, 1], [0.05, 0.14]]);
    const paws = pawsCrops({ localViews: 2 });
    assert.deepEqual([paws.global.length, paws.local.length, paws.local[0]!.size], [2, 2, 16]);
    assert.deepEqual([paws.global[0]!.scale, paws.local[0]!.scale], [[0.75, 1], [0.3, 0.75]]);
    assert.throws(() => dinoCrops({ localViews: -1 }), /non-negative integer/);
  });

  it('the sampled data matches the specs (same tree, same lengths)', () => {
    for (const config of [dinoCrops({ localViews: 2 }), swavCrops({ localViews: 1 }), pawsCrops({ localViews: 1 })]) {
      const values = sampleMultiCrop(config, key(1), 3, src).values;
      const specs = multiCropSpecs(config, 3, src);
      const v = flattenTree(values, (x): x is Float64Array => x instanceof Float64Array);
      const s = flattenTree(specs, (x): x is { kind: 'spec'; sizes: number[] } => typeof x === 'object' && x !== null && (x as { kind?: string }).kind === 'spec');
      assert.deepEqual(v.paths, s.paths);
      v.leaves.forEach((leaf, i) => assert.equal(leaf.length, s.leaves[i]!.sizes.reduce((a, b) => a * b, 1), v.paths[i]));
    }
  });

  it('views of MNIST images: shapes, range, determinism; withChannel gives [B, 1, H, W]', () => {
    const mnist = loadMnist('test');
    const images = gatherImages(mnist, [0, 1, 2, 3]);
    const config = dinoCrops({ localViews: 2 });
    const p = trace(
      (im, d) => {
        const v = multiCropViews(im, d as unknown as readonly ViewTensors[], config);
        return { global: v.global, local: v.local, channel: withChannel(v.local[0]!) };
      },
      spec(['B', 'H', 'W'], [4, 28, 28]),
      multiCropSpecs(config, 4, src),
    );
    const out = run(p, images, sampleMultiCrop(config, key(9), 4, src).values);
    assert.equal(out.global.length, 2);
    assert.equal(out.local.length, 2);
    out.global.forEach((g) => assert.deepEqual(g.sizes, [4, 28, 28]));
    out.local.forEach((l) => assert.deepEqual(l.sizes, [4, 12, 12]));
    assert.deepEqual(out.channel.axes, ['B', 'Cin', 'H', 'W']);
    assert.deepEqual(out.channel.sizes, [4, 1, 12, 12]);
    [...out.global, ...out.local].forEach((v) => assert.ok(v.data.every((x) => x >= -1e-9 && x <= 1 + 1e-9)));
    // the views keep most of a digit's ink (the global crops cover >= 40% of the image)
    const ink = (a: ArrayLike<number>) => Array.from(a).reduce((s, x) => s + x, 0);
    assert.ok(ink(out.global[0]!.data) > 0.2 * ink(images));
    const again = run(p, images, sampleMultiCrop(config, key(9), 4, src).values);
    assert.deepEqual(again.global[1]!.data, out.global[1]!.data);
  });

  it('compiles to one pipeline on the webasm backend and agrees with the reference interpreter to 1e-4', async function () {
    if (!availableBackends().includes('webasm')) this.skip();
    const mnist = loadMnist('test');
    const images = gatherImages(mnist, [0, 1, 2, 3, 4, 5]);
    const rotations: MultiCropConfig = {
      name: 'rotations',
      global: [{ size: 20, scale: [0.3, 1], jitter: { p: 1, brightness: 0.5, contrast: 0.5 }, blur: { p: 0.5, sigma: [0.2, 1] }, solarize: 0.5, rotate: true, normalize: { mean: 0.1307, std: 0.3081 } }],
      local: [],
    };
    for (const config of [dinoCrops({ localViews: 2 }), pawsCrops({ localViews: 1 }), rotations]) {
      const runner = compileMultiCrop(config, { batch: 6, ...src }, { backend: 'webasm' });
      try {
        for (const seed of [0, 1]) {
          const got = await runner.run(images, key(seed));
          const want = runner.reference(images, key(seed));
          [...got.global, ...got.local].forEach((g, v) => {
            const w = [...want.global, ...want.local][v]!;
            assert.equal(g.length, w.length);
            g.forEach((x, i) => assert.ok(Math.abs(x - w[i]!) <= 1e-4, `${config.name} view ${v} element ${i}: ${x} vs ${w[i]}`));
          });
        }
        const info = runner.compiled.lastRun()!;
        assert.equal(info.backend, 'webasm');
        assert.equal(info.pipelineCalls, 1);
        assert.equal(info.fallbackReason, null);
      } finally {
        runner.destroy();
      }
    }
  });
});
