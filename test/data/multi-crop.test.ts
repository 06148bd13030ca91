import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { availableBackends } from '../../src/compile/index.js';
import { key } from '../../src/runtime/prng.js';
import { loadMnist } from '../../src/data/mnist.js';
import { gatherImages } from '../../src/data/loader.js';
import { compileMultiCrop, dinoCrops, localViewSide, multiCropSpecs, pawsCrops, sampleMultiCrop, swavCrops, withChannel, multiCropViews } from '../../src/data/multi-crop.js';
import { colourShapes } from '../../src/data/colour-shapes.js';
import { DINO_COLOUR_JITTER } from '../../src/data/augment/colour.js';
import { spec, trace } from '../../src/ir/trace.js';
import { run } from '../../src/runtime/interpret.js';
import type { ViewConfig, ViewTensors } from '../../src/data/augment/view.js';
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

/*
 * RGB images: the presets' colour recipes and sizes, every step on every channel with the same
 * per-image data, RandomGrayscale, compiled = reference, and the grayscale views pinned byte for
 * byte to what they were before colour existed.
 */
const B = 3;
const side = 32;
const planes = side * side;

/** A recipe without its colour steps (the steps grayscale and RGB share): crop, flip, blur, solarize. */
const withoutColour = (c: MultiCropConfig): MultiCropConfig => {
  const strip = (v: ViewConfig): ViewConfig => Object.fromEntries(Object.entries(v).filter(([k]) => !['jitter', 'colourJitter', 'grayscale'].includes(k))) as unknown as ViewConfig;
  return { name: `${c.name}-shared`, global: c.global.map(strip), local: c.local.map(strip) };
};

describe('data/multi-crop on RGB images', () => {
  it('grayscale views and draws are byte for byte those from before colour (digest of the reference views of the three presets)', () => {
    const [n, H] = [8, 28];
    const images = Float32Array.from({ length: n * H * H }, (_, i) => ((i * 7919) % 255) / 255);
    const h = createHash('sha256');
    let solarized = 0;
    for (const preset of [dinoCrops({ localViews: 4 }), swavCrops({ localViews: 4 }), pawsCrops({ localViews: 4 })]) {
      const runner = compileMultiCrop(preset, { batch: n, height: H, width: H }, { backend: 'cpu' });
      const r = runner.reference(images, key(42));
      for (const v of [...r.global, ...r.local]) h.update(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
      const sample = sampleMultiCrop(preset, key(42), n, { height: H, width: H });
      for (const v of sample.values) {
        for (const k of Object.keys(v).sort()) {
          h.update(k);
          h.update(Buffer.from((v as unknown as Record<string, Float64Array>)[k]!.buffer));
        }
      }
      for (const d of [...sample.draws.global, ...sample.draws.local]) solarized += d.solarized.reduce((a, b) => a + b, 0);
      runner.destroy();
    }
    assert.ok(solarized >= 4, `the digest covers solarised images (${solarized})`);
    // computed with main at 5099359 (before colour) by the same loop
    assert.equal(h.digest('hex'), '8b2a57fe62667f30ad17e4f32b5b96afdcbea5ef7dc112bb9f20d9ee418b51f7');
  });

  it('RGB presets: sizes scale with the side (local round(96·s/224), PAWS round(18·s/32)) and take the full colour recipe', () => {
    assert.deepEqual([28, 32, 64, 224].map((s) => localViewSide('dino', s)), [12, 14, 27, 96]);
    assert.deepEqual([28, 32].map((s) => localViewSide('paws', s)), [16, 18]);
    const dino = dinoCrops({ channels: 3, side, localViews: 2 });
    assert.deepEqual([dino.global[0]!.size, dino.local[0]!.size], [32, 14]);
    for (const v of [...dino.global, ...dino.local]) {
      assert.deepEqual(v.colourJitter, DINO_COLOUR_JITTER);
      assert.equal(v.grayscale, 0.2);
      assert.equal(v.jitter, undefined);
    }
    assert.deepEqual([dino.global[0]!.blur!.p, dino.global[1]!.blur!.p, dino.global[1]!.solarize, dino.global[0]!.solarize, dino.local[0]!.blur!.p], [1, 0.1, 0.2, undefined, 0.5]);
    assert.deepEqual(swavCrops({ channels: 3, side }).global[0]!.colourJitter, { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2, p: 0.8 });
    const paws = pawsCrops({ channels: 3, side });
    assert.deepEqual(paws.global[0]!.colourJitter, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 });
    assert.deepEqual([paws.global[0]!.size, paws.local[0]!.size], [32, 18]);
    assert.throws(() => dinoCrops({ channels: 2 }), /multi-crop: images must have 1 \(grayscale\) or 3 \(RGB\) channels, got 2/);
    assert.throws(() => dinoCrops({ side: 0 }), /the image side must be a positive integer, got 0/);
  });

  it('each channel of an RGB view is the grayscale view of that channel (crop, flip, blur, solarize share the per-image data)', () => {
    const images = gatherImages(colourShapes('test', { n: B }), [0, 1, 2]);
    const recipe = withoutColour(dinoCrops({ channels: 3, side, localViews: 1 }));
    const colour = compileMultiCrop(recipe, { batch: B, channels: 3, height: side, width: side }, { backend: 'cpu' });
    const grey = compileMultiCrop(recipe, { batch: B, height: side, width: side }, { backend: 'cpu' });
    try {
      const rgb = colour.reference(images, key(5));
      for (let c = 0; c < 3; c++) {
        const plane = new Float32Array(B * planes);
        for (let b = 0; b < B; b++) plane.set(images.subarray((b * 3 + c) * planes, (b * 3 + c + 1) * planes), b * planes);
        const g = grey.reference(plane, key(5));
        [...g.global, ...g.local].forEach((view, v) => {
          const out = [...rgb.global, ...rgb.local][v]!;
          const n = view.length / B;
          assert.equal(out.length, 3 * view.length, `view ${v} has 3 channels`);
          for (let b = 0; b < B; b++) {
            for (let i = 0; i < n; i++) assert.ok(Math.abs(out[(b * 3 + c) * n + i]! - view[b * n + i]!) < 1e-12, `view ${v} image ${b} channel ${c} pixel ${i}`);
          }
        });
      }
    } finally {
      colour.destroy();
      grey.destroy();
    }
  });

  it('RGB views: [B, 3, S, S] in [0, 1]; grayscaled images have R = G = B; the draws report the colour steps', () => {
    const images = gatherImages(colourShapes('test', { n: 8 }), [0, 1, 2, 3, 4, 5, 6, 7]);
    const always: MultiCropConfig = { name: 'grey', global: [{ size: 16, scale: [0.5, 1], colourJitter: DINO_COLOUR_JITTER, grayscale: 0.5 }], local: [] };
    const runner = compileMultiCrop(always, { batch: 8, channels: 3, height: side, width: side }, { backend: 'cpu' });
    try {
      const r = runner.reference(images, key(3));
      const view = r.global[0]!;
      assert.equal(view.length, 8 * 3 * 16 * 16);
      assert.ok(view.every((x) => x >= -1e-12 && x <= 1 + 1e-12));
      const flags = r.draws.global[0]!.colour!.grayscaled;
      assert.ok(flags.some((f) => f === 1) && flags.some((f) => f === 0), `both kinds drawn: ${flags}`);
      const p = 16 * 16;
      flags.forEach((f, b) => {
        const spread = Math.max(...Array.from({ length: p }, (_, i) => Math.abs(view[b * 3 * p + i]! - view[(b * 3 + 2) * p + i]!)));
        if (f === 1) assert.ok(spread < 1e-12, `image ${b} grayscaled`);
        else assert.ok(spread > 0.01, `image ${b} keeps its colours`);
      });
      const draws = r.draws.global[0]!;
      const jittered = Array.from(draws.colour!.hue).filter((hh) => hh !== 0).length;
      assert.ok(jittered >= 3, `ColorJitter drawn with p 0.8: ${jittered} of 8`);
      draws.colour!.order.forEach((_, i) => i % 4 === 0 && assert.deepEqual([...draws.colour!.order.subarray(i, i + 4)].sort(), [0, 1, 2, 3]));
    } finally {
      runner.destroy();
    }
  });

  it('the DINO RGB recipe compiles to one pipeline on webasm and agrees with the reference interpreter to 1e-4', async function () {
    if (!availableBackends().includes('webasm')) this.skip();
    const images = gatherImages(colourShapes('test', { n: 4 }), [0, 1, 2, 3]);
    const runner = compileMultiCrop(dinoCrops({ channels: 3, side, localViews: 1 }), { batch: 4, channels: 3, height: side, width: side }, { backend: 'webasm' });
    try {
      const got = await runner.run(images, key(2));
      const want = runner.reference(images, key(2));
      [...got.global, ...got.local].forEach((g, v) => {
        const w = [...want.global, ...want.local][v]!;
        assert.equal(g.length, w.length);
        g.forEach((x, i) => assert.ok(Math.abs(x - w[i]!) <= 1e-4, `view ${v} element ${i}: ${x} vs ${w[i]}`));
      });
      assert.equal(runner.compiled.lastRun()!.pipelineCalls, 1);
    } finally {
      runner.destroy();
    }
  });
});
