import { strict as assert } from 'node:assert';
import type { Tensor } from '../../src/ir/tensor.js';
import { spec, trace } from '../../src/ir/trace.js';
import { fromArray } from '../../src/ops/sources.js';
import { run, evaluate } from '../../src/runtime/interpret.js';
import { key } from '../../src/runtime/prng.js';
import { rotateImage } from '../../src/ssl/rotation.js';
import * as A from '../../src/data/augment/index.js';

type Images = Tensor<['B', 'H', 'W']>;
const imgs = (data: ArrayLike<number>, b: number, h: number, w: number): Images => fromArray(data, ['B', 'H', 'W'], [b, h, w]);
const rowW = (data: ArrayLike<number>, b: number, o: number, i: number) => fromArray(data, ['B', 'O', 'H'], [b, o, i]);
const colW = (data: ArrayLike<number>, b: number, o: number, i: number) => fromArray(data, ['B', 'P', 'W'], [b, o, i]);
const perImage = (data: ArrayLike<number>) => fromArray(data, ['B'], [data.length]);

/** Deterministic test images with values in [0, 1]. */
const pattern = (b: number, h: number, w: number) => Float64Array.from({ length: b * h * w }, (_, i) => (Math.sin(i * 1.7) + 1) / 2);

function close(a: ArrayLike<number>, b: ArrayLike<number>, tol: number, what = ''): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) <= tol, `${what} element ${i}: ${a[i]} vs ${b[i]}`);
}

describe('data/augment: crop boxes (torchvision RandomResizedCrop.get_params)', () => {
  it('keeps the area fraction in the scale range and the aspect ratio in [3/4, 4/3] (up to rounding)', () => {
    for (let s = 0; s < 300; s++) {
      const sample = A.sampleView(key(s), 1, { size: 12, scale: [0.05, 0.4] }, { height: 28, width: 28 });
      const box = sample.draws.boxes[0]!;
      const frac = (box.height * box.width) / 784;
      assert.ok(box.top >= 0 && box.left >= 0 && box.top + box.height <= 28 && box.left + box.width <= 28, JSON.stringify(box));
      // rounding each side by up to 0.5 px moves the area a little
      assert.ok(frac > 0.05 * 0.7 && frac < 0.4 * 1.15, `fraction ${frac}`);
      const r = box.width / box.height;
      assert.ok(r > (3 / 4) * 0.7 && r < (4 / 3) / 0.7, `ratio ${r}`);
    }
  });

  it('falls back to the centred crop after 10 failed tries, and rounds like Python', () => {
    const u = new Float64Array(A.CROP_DRAWS).fill(0.5);
    // ratio >= 10 cannot fit a square image at full area: every try fails
    assert.deepEqual(A.sampleCropBox(u, 28, 28, [1, 1], [10, 20]), { top: 12, left: 0, height: 3, width: 28 });
    assert.deepEqual(A.centerCropBox(28, 28), { top: 0, left: 0, height: 28, width: 28 });
    assert.deepEqual(A.centerCropBox(10, 40), { top: 0, left: 13, height: 10, width: 13 });
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(A.roundHalfEven), [0, 2, 2, -0, 2, 3]);
    // the whole image at scale 1 with ratio 1
    assert.deepEqual(A.sampleCropBox(u, 28, 28, [1, 1], [1, 1]), { top: 0, left: 0, height: 28, width: 28 });
  });

  it('resize weights reproduce PIL: crop then resize(BILINEAR), downscaling antialiased (values from Pillow 12.3, mode F)', () => {
    const image = Float64Array.from({ length: 100 }, (_, i) => Math.fround(((i * 37) % 101) / 100));
    const pil: [number[], number[]][] = [
      [[1, 2, 6, 5, 4, 4], [0.365, 0.533646, 0.376146, 0.65, 0.421111, 0.385185, 0.555, 0.425556, 0.378889, 0.492593, 0.400556, 0.607778, 0.403437, 0.361667, 0.572396, 0.372813]],
      [[0, 0, 10, 10, 4, 4], [0.372231, 0.441945, 0.525945, 0.610434, 0.473055, 0.433328, 0.517328, 0.593145, 0.464655, 0.424928, 0.508928, 0.584745, 0.465062, 0.416164, 0.500164, 0.567624]],
      [[2, 3, 3, 4, 7, 5], [0.43, 0.689, 0.48, 0.271, 0.53, 0.381429, 0.640429, 0.503571, 0.323429, 0.481429, 0.235714, 0.494714, 0.574286, 0.480714, 0.335714, 0.09, 0.349, 0.645, 0.638, 0.19, 0.377143, 0.333143, 0.499286, 0.622143, 0.477143, 0.664286, 0.317286, 0.353571, 0.606286, 0.764286, 0.76, 0.312, 0.305, 0.601, 0.86]],
    ];
    for (const [[top, left, h, w, oh, ow], expected] of pil) {
      const ry = A.resizeWeights(top!, h!, 10, oh!);
      const rx = A.resizeWeights(left!, w!, 10, ow!);
      const out = evaluate(A.resample(imgs(image, 1, 10, 10), rowW(ry, 1, oh!, 10), colW(rx, 1, ow!, 10))).data;
      close(out, expected, 2e-6, `box ${[top, left, h, w]} -> ${oh}x${ow}`);
    }
  });

  it('resize weights: rows sum to 1, the identity at scale 1, bilinear at pixel centres when enlarging', () => {
    const id = A.resizeWeights(0, 5, 5, 5);
    close(id, Float64Array.from({ length: 25 }, (_, i) => (i % 6 === 0 ? 1 : 0)), 0);
    const up = A.resizeWeights(2, 2, 6, 4); // pixels 2, 3 -> 4 outputs: centres 0.25, 0.75, 1.25, 1.75 (in crop pixels)
    const rows = Array.from({ length: 4 }, (_, o) => Array.from(up.subarray(o * 6, o * 6 + 6)));
    assert.deepEqual(rows[0], [0, 0, 1, 0, 0, 0]); // clamped at the edge
    close(rows[1]!, [0, 0, 0.75, 0.25, 0, 0], 1e-12);
    close(rows[2]!, [0, 0, 0.25, 0.75, 0, 0], 1e-12);
    assert.deepEqual(rows[3], [0, 0, 0, 1, 0, 0]);
    const down = A.resizeWeights(0, 28, 28, 12); // antialiased: every row sums to 1 and spreads over more than 2 pixels
    for (let o = 0; o < 12; o++) {
      const r = down.subarray(o * 28, o * 28 + 28);
      close([r.reduce((a, b) => a + b, 0)], [1], 1e-12);
      assert.ok(r.filter((v) => v > 0).length >= 3);
    }
  });
});

describe('data/augment: graph ops', () => {
  const B = 3;
  const H = 5;
  const W = 5;
  const x = pattern(B, H, W);

  it('a crop of the whole image at scale 1 is the identity', () => {
    const cfg: A.ViewConfig = { size: [H, W], scale: [1, 1], ratio: [1, 1], flip: 0 };
    const sample = A.sampleView(key(0), B, cfg, { height: H, width: W });
    const p = trace((im: Images, d) => A.augmentView(im, d as unknown as A.ViewTensors, cfg), spec(['B', 'H', 'W'], [B, H, W]), A.viewSpecs(cfg, B, { height: H, width: W }));
    close(run(p, x, sample.values).data, x, 1e-12);
  });

  it('flipping twice is the identity; flipping once reverses the columns', () => {
    const { ry, rx } = A.flipMatrices([1, 0, 1], H, W);
    const once = evaluate(A.resample(imgs(x, B, H, W), rowW(ry, B, H, H), colW(rx, B, W, W)));
    assert.deepEqual(once.axes, ['B', 'H', 'W']);
    for (let i = 0; i < H; i++) for (let j = 0; j < W; j++) assert.equal(once.data[i * W + j], x[i * W + (W - 1 - j)]);
    close(once.data.subarray(H * W, 2 * H * W), x.subarray(H * W, 2 * H * W), 0);
    const twice = evaluate(A.resample(A.resample(imgs(x, B, H, W), rowW(ry, B, H, H), colW(rx, B, W, W)), rowW(ry, B, H, H), colW(rx, B, W, W)));
    close(twice.data, x, 0);
  });

  it('quarter turns agree with DeeperCluster rotate_img (ssl/rotation) and four of them are the identity', () => {
    const turns = [0, 1, 2, 3];
    const n = turns.length;
    const y = pattern(n, 4, 4);
    const p = A.rotationParams(turns, 4);
    const once = evaluate(A.rotate(imgs(y, n, 4, 4), rowW(p.ry, n, 4, 4), colW(p.rx, n, 4, 4), perImage(p.transpose)));
    turns.forEach((t, b) => {
      const expected = rotateImage({ axes: ['H', 'W'], sizes: [4, 4], data: y.slice(b * 16, (b + 1) * 16) }, t as 0 | 1 | 2 | 3);
      close(once.data.subarray(b * 16, (b + 1) * 16), expected.data, 0, `turns ${t}`);
    });
    // every image one quarter turn, four times
    const q = A.rotationParams([1, 1, 1, 1], 4);
    let t: Images = imgs(y, n, 4, 4);
    for (let k = 0; k < 4; k++) t = A.rotate(t, rowW(q.ry, n, 4, 4), colW(q.rx, n, 4, 4), perImage(q.transpose));
    close(evaluate(t).data, y, 0);
    assert.throws(() => A.transposeWhere(imgs(pattern(1, 2, 3), 1, 2, 3), perImage([1])), /must be square/);
  });

  it('brightness, contrast and their order follow torchvision; factor 1 is the identity', () => {
    const im = imgs(x, B, H, W);
    const f = [1.4, 0.6, 1];
    const b = evaluate(A.brightness(im, perImage(f))).data;
    b.forEach((v, i) => assert.ok(Math.abs(v - Math.min(1, x[i]! * f[Math.floor(i / 25)]!)) < 1e-12));
    const c = evaluate(A.contrast(im, perImage(f))).data;
    for (let k = 0; k < B; k++) {
      const img = x.subarray(k * 25, (k + 1) * 25);
      const m = img.reduce((a, v) => a + v, 0) / 25;
      img.forEach((v, i) => assert.ok(Math.abs(c[k * 25 + i]! - Math.min(1, Math.max(0, f[k]! * v + (1 - f[k]!) * m))) < 1e-12));
    }
    close(evaluate(A.colorJitter(im, perImage([1, 1, 1]), perImage([1, 1, 1]), perImage([1, 0, 1]))).data, x, 1e-12);
    const bf = evaluate(A.colorJitter(im, perImage(f), perImage([0.5, 0.5, 0.5]), perImage([1, 1, 1]))).data;
    close(bf, evaluate(A.contrast(A.brightness(im, perImage(f)), perImage([0.5, 0.5, 0.5]))).data, 1e-12);
    const cf = evaluate(A.colorJitter(im, perImage(f), perImage([0.5, 0.5, 0.5]), perImage([0, 0, 0]))).data;
    close(cf, evaluate(A.brightness(A.contrast(im, perImage([0.5, 0.5, 0.5])), perImage(f))).data, 1e-12);
  });

  it('solarisation inverts pixels at or above 128/255, per image', () => {
    const v = [0, 0.25, 128 / 255, 0.9];
    const out = evaluate(A.solarize(imgs([...v, ...v], 2, 2, 2), perImage([1, 0]))).data;
    close(out, [0, 0.25, 1 - 128 / 255, 1 - 0.9, ...v], 1e-15);
  });

  it('Gaussian blur matrices: rows sum to 1, constant images stay constant, mass spreads with sigma', () => {
    const g = A.gaussianWeights(7, 1.0);
    for (let o = 0; o < 7; o++) close([g.subarray(o * 7, o * 7 + 7).reduce((a, b) => a + b, 0)], [1], 1e-12);
    const flat = new Float64Array(2 * 49).fill(0.7);
    const G = Float64Array.from([...g, ...A.gaussianWeights(7, 0.3)]);
    close(evaluate(A.resample(imgs(flat, 2, 7, 7), rowW(G, 2, 7, 7), colW(G, 2, 7, 7))).data, flat, 1e-12);
    const dot = new Float64Array(49);
    dot[24] = 1;
    const spread = evaluate(A.resample(imgs(dot, 1, 7, 7), rowW(g, 1, 7, 7), colW(g, 1, 7, 7))).data;
    assert.ok(spread[24]! < 0.2 && spread[23]! > 0.05 && Math.abs(spread.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });
});

describe('data/augment: views', () => {
  const src = { height: 28, width: 28 };
  const full: A.ViewConfig = {
    size: 12,
    scale: [0.05, 0.4],
    flip: 0.5,
    jitter: { p: 0.8, brightness: 0.8, contrast: 0.8 },
    blur: { p: 0.5, sigma: [0.1, 1] },
    solarize: 0.5,
    rotate: true,
  };
  const n = 16;
  const x = pattern(n, 28, 28);
  const prog = trace((im: Images, d) => A.augmentView(im, d as unknown as A.ViewTensors, full), spec(['B', 'H', 'W'], [n, 28, 28]), A.viewSpecs(full, n, src));

  it('has the configured shape, stays in [0, 1], and is deterministic per key', () => {
    const a = A.sampleView(key(5), n, full, src);
    const out = run(prog, x, a.values);
    assert.deepEqual(out.axes, ['B', 'H', 'W']);
    assert.deepEqual(out.sizes, [n, 12, 12]);
    assert.ok(out.data.every((v) => v >= -1e-12 && v <= 1 + 1e-12));
    const b = A.sampleView(key(5), n, full, src);
    assert.deepEqual(b.draws, a.draws);
    assert.deepEqual(run(prog, x, b.values).data, out.data);
    const c = A.sampleView(key(6), n, full, src);
    assert.notDeepEqual(run(prog, x, c.values).data, out.data);
    // image b's draws depend only on (key, b): a batch of 4 repeats the first 4
    const small = A.sampleView(key(5), 4, full, src);
    assert.deepEqual(small.draws.boxes, a.draws.boxes.slice(0, 4));
    // the draws exercise every branch somewhere in the batch
    assert.ok(a.draws.flipped.some((f) => f) && a.draws.flipped.some((f) => !f));
    assert.ok(a.draws.solarized.some((f) => f) && new Set(a.draws.turns).size > 1 && a.draws.sigma.some((s) => s > 0));
  });

  it('a flip followed by a quarter turn: the view of a whole-image crop is rotate_img(flip(img), turns)', () => {
    const cfg: A.ViewConfig = { size: 6, scale: [1, 1], ratio: [1, 1], flip: 0.5, rotate: true };
    const m = 24;
    const y = pattern(m, 6, 6);
    const s = A.sampleView(key(3), m, cfg, { height: 6, width: 6 });
    const p = trace((im: Images, d) => A.augmentView(im, d as unknown as A.ViewTensors, cfg), spec(['B', 'H', 'W'], [m, 6, 6]), A.viewSpecs(cfg, m, { height: 6, width: 6 }));
    const out = run(p, y, s.values).data;
    const seen = new Set<string>();
    for (let b = 0; b < m; b++) {
      const img = y.subarray(b * 36, (b + 1) * 36);
      const flipped = s.draws.flipped[b] ? Float64Array.from({ length: 36 }, (_, k) => img[Math.floor(k / 6) * 6 + (5 - (k % 6))]!) : Float64Array.from(img);
      const expected = rotateImage({ axes: ['H', 'W'], sizes: [6, 6], data: flipped }, s.draws.turns[b] as 0 | 1 | 2 | 3).data;
      close(out.subarray(b * 36, (b + 1) * 36), expected, 1e-12, `image ${b}`);
      seen.add(`${s.draws.flipped[b]}/${s.draws.turns[b]}`);
    }
    assert.ok(seen.size >= 6, `combinations seen: ${[...seen].join(' ')}`);
  });

  it('normalises when asked, and checks configs by field', () => {
    const cfg: A.ViewConfig = { size: 28, scale: [1, 1], ratio: [1, 1], flip: 0, normalize: { mean: 0.5, std: 0.25 } };
    const s = A.sampleView(key(1), 2, cfg, src);
    const p = trace((im: Images, d) => A.augmentView(im, d as unknown as A.ViewTensors, cfg), spec(['B', 'H', 'W'], [2, 28, 28]), A.viewSpecs(cfg, 2, src));
    const y = pattern(2, 28, 28);
    close(run(p, y, s.values).data, Array.from(y, (v) => (v - 0.5) / 0.25), 1e-12);
    assert.throws(() => A.checkViewConfig({ size: 12, scale: [0.5, 0.1] }), /view scale: expected a range \[a, b\] with 0 <= a <= b <= 1, got \[0.5,0.1\]/);
    assert.throws(() => A.checkViewConfig({ size: [12, 10], scale: [0.5, 1], rotate: true }), /quarter turns need a square output, got 12x10/);
    assert.throws(() => A.checkViewConfig({ size: 12, scale: [0.5, 1], flip: 2 }), /view flip: a probability must be in \[0, 1\], got 2/);
  });
});
