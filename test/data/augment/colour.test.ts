/**
 * The colour augmentations against a per-pixel reference written from
 * torchvision's tensor kernels (transforms/_functional_tensor.py), float images in [0, 1]:
 *
 *   gray            = 0.2989 r + 0.587 g + 0.114 b
 *   blend(a, b, f)  = clamp(f a + (1 - f) b, 0, 1)
 *   brightness      = blend(x, 0, f);  contrast = blend(x, mean(gray), f);  saturation = blend(x, gray, f)
 *   rgb2hsv: M = max(r,g,b), m = min, c = M - m, s = c / (M or 1 if M = m), v = M,
 *            rc = (M - r)/c' etc. (c' = c or 1), h = [M = r](bc - gc) + [M = g, M != r](2 + rc - bc)
 *                + [M != g, M != r](4 + gc - rc), h = fmod(h/6 + 1, 1)
 *   hue: h' = (h + f) mod 1; hsv2rgb: i = floor(6h'), f = 6h' - i, p = v(1 - s), q = v(1 - s f),
 *        t = v(1 - s(1 - f)) (each clamped), (r, g, b) = [(v,t,p), (q,v,p), (p,v,t), (p,q,v), (t,p,v), (v,p,q)][i mod 6]
 *   RandomGrayscale: every channel replaced by gray.
 */
import { strict as assert } from 'node:assert';
import { fromArray } from '../../../src/ops/sources.js';
import { evaluate } from '../../../src/runtime/interpret.js';
import * as A from '../../../src/data/augment/index.js';

type Px = [number, number, number];
const clamp = (v: number) => Math.min(1, Math.max(0, v));
const gray = ([r, g, b]: Px) => 0.2989 * r + 0.587 * g + 0.114 * b;
const blend = (a: Px, b: Px, f: number): Px => [0, 1, 2].map((c) => clamp(f * a[c]! + (1 - f) * b[c]!)) as Px;

function rgb2hsv([r, g, b]: Px): Px {
  const M = Math.max(r, g, b);
  const m = Math.min(r, g, b);
  const c = M - m;
  const s = c / (M === m ? 1 : M);
  const d = M === m ? 1 : c;
  const [rc, gc, bc] = [(M - r) / d, (M - g) / d, (M - b) / d];
  const h = (M === r ? bc - gc : 0) + (M === g && M !== r ? 2 + rc - bc : 0) + (M !== g && M !== r ? 4 + gc - rc : 0);
  return [(h / 6 + 1) % 1, s, M];
}
function hsv2rgb([h, s, v]: Px): Px {
  const i = Math.floor(h * 6);
  const f = h * 6 - i;
  const p = clamp(v * (1 - s));
  const q = clamp(v * (1 - s * f));
  const t = clamp(v * (1 - s * (1 - f)));
  return ([[v, t, p], [q, v, p], [p, v, t], [p, q, v], [t, p, v], [v, p, q]] as Px[])[((i % 6) + 6) % 6]!;
}
const mod1 = (x: number) => x - Math.floor(x);

/** Reference ops on one image given as an array of pixels. */
const ref = {
  brightness: (img: Px[], f: number) => img.map((p) => blend(p, [0, 0, 0], f)),
  contrast: (img: Px[], f: number) => {
    const m = img.reduce((a, p) => a + gray(p), 0) / img.length;
    return img.map((p) => blend(p, [m, m, m], f));
  },
  saturation: (img: Px[], f: number) => img.map((p) => blend(p, [gray(p), gray(p), gray(p)], f)),
  hue: (img: Px[], f: number) => img.map((p) => {
    const [h, s, v] = rgb2hsv(p);
    return hsv2rgb([mod1(h + f), s, v]);
  }),
};

const B = 3, H = 3, W = 4, P = H * W;
/** Test pixels: smooth values plus exact ties (gray pixels, two equal maxima) that exercise every branch of rgb2hsv. */
const data = Float64Array.from({ length: B * 3 * P }, (_, i) => (Math.sin(i * 1.3) + 1) / 2);
for (const [b, p, rgb] of [[0, 0, [0.5, 0.5, 0.5]], [0, 1, [0.8, 0.8, 0.1]], [1, 2, [0.2, 0.9, 0.9]], [2, 3, [0.7, 0.1, 0.7]], [2, 4, [1, 0, 0]], [1, 5, [0, 0, 0]]] as const) {
  rgb.forEach((v, c) => (data[b * 3 * P + c * P + p] = v));
}
const pixelsOf = (flat: ArrayLike<number>, b: number, c = 3): Px[] =>
  Array.from({ length: P }, (_, p) => [0, 1, 2].map((k) => flat[b * c * P + (c === 1 ? 0 : k) * P + p]!) as Px);
const images = (c = 3, values: ArrayLike<number> = data) => fromArray(values, ['B', 'C', 'H', 'W'], [B, c, H, W]);
const perImage = (v: readonly number[]) => fromArray(v, ['B'], [v.length]);

function close(got: ArrayLike<number>, want: Px[][], tol: number, what: string): void {
  want.forEach((img, b) => img.forEach((px, p) => px.forEach((v, c) => {
    const g = got[b * 3 * P + c * P + p]!;
    assert.ok(Math.abs(g - v) <= tol, `${what}: image ${b} pixel ${p} channel ${c}: ${g} vs ${v}`);
  })));
}

describe('data/augment/colour (torchvision ColorJitter, RandomGrayscale, blur, solarize on [B, C, H, W])', () => {
  const factors = [0.6, 1.3, 1];
  const hues = [0.1, -0.35, 0.5];
  const cases: [string, (x: A.ColourImages, f: ReturnType<typeof perImage>) => A.ColourImages, (img: Px[], f: number) => Px[], readonly number[]][] = [
    ['brightness', A.adjustBrightness, ref.brightness, factors],
    ['contrast', A.adjustContrast, ref.contrast, factors],
    ['saturation', A.adjustSaturation, ref.saturation, [0.2, 1.8, 0]],
    ['hue', A.adjustHue, ref.hue, hues],
  ];
  for (const [name, op, reference, fs] of cases) {
    it(`${name} matches torchvision's formula per image`, () => {
      const got = evaluate(op(images(), perImage(fs))).data;
      close(got, fs.map((f, b) => reference(pixelsOf(data, b), f)), 1e-9, name);
    });
  }

  it('rgb2hsv then hsv2rgb is the identity (hue 0 is exact: the input is selected)', () => {
    const [h, s, v] = A.rgbToHsv(images());
    close(evaluate(A.hsvToRgb(h, s, v)).data, [0, 1, 2].map((b) => pixelsOf(data, b)), 1e-12, 'round trip');
    assert.deepEqual(evaluate(A.adjustHue(images(), perImage([0, 0, 0]))).data, evaluate(images()).data);
  });

  it('ColorJitter applies the four steps in each image\'s own order', () => {
    const orders = [[0, 1, 2, 3], [3, 2, 1, 0], [2, 0, 3, 1]];
    const p = { brightness: [1.3, 0.7, 1.2], contrast: [0.6, 1.4, 0.8], saturation: [1.5, 0.3, 1.9], hue: [0.08, -0.1, 0.04] };
    const got = evaluate(A.colourJitter(images(), {
      brightness: perImage(p.brightness), contrast: perImage(p.contrast), saturation: perImage(p.saturation), hue: perImage(p.hue),
      order: fromArray(orders.flat(), ['B', 'S'], [3, 4]),
    })).data;
    const want = orders.map((order, b) => order.reduce((img, k) => {
      const step = A.JITTER_STEPS[k]!;
      return ref[step](img, p[step][b]!);
    }, pixelsOf(data, b)));
    close(got, want, 1e-9, 'jitter');
    // the order matters: brightness-first and hue-last differ from the reverse
    const reversed = [3, 2, 1, 0].reduce((img, k) => ref[A.JITTER_STEPS[k]!](img, p[A.JITTER_STEPS[k]!][0]!), pixelsOf(data, 0));
    assert.ok(reversed.some((px, i) => px.some((v, c) => Math.abs(v - want[0]![i]![c]!) > 1e-3)));
  });

  it('RandomGrayscale replaces flagged images by 0.2989 R + 0.587 G + 0.114 B on every channel', () => {
    const got = evaluate(A.randomGrayscale(images(), perImage([1, 0, 1]))).data;
    const want = [0, 1, 2].map((b) => pixelsOf(data, b).map((px) => (b === 1 ? px : ([gray(px), gray(px), gray(px)] as Px))));
    close(got, want, 1e-12, 'grayscale');
  });

  it('on one channel: saturation, hue and grayscale are the identity, brightness and contrast as grayscale jitter', () => {
    const one = data.subarray(0, B * P);
    const x = images(1, one);
    for (const op of [A.adjustSaturation, A.adjustHue, A.randomGrayscale]) assert.deepEqual(evaluate(op(x, perImage([0.5, 1, 0]))).data, evaluate(x).data);
    const gotC = evaluate(A.adjustContrast(x, perImage(factors))).data;
    const gotOld = evaluate(A.contrast(fromArray(one, ['B', 'H', 'W'], [B, H, W]), perImage(factors))).data;
    assert.deepEqual(gotC, gotOld);
  });

  it('blur and solarize act on every channel with the same per-image parameters', () => {
    const gy = A.gaussianWeights(H, 0.8);
    const gx = A.gaussianWeights(W, 0.8);
    const ry = fromArray([...gy, ...A.identityWeights(H), ...gy], ['B', 'O', 'H'], [B, H, H]);
    const rx = fromArray([...gx, ...A.identityWeights(W), ...gx], ['B', 'P', 'W'], [B, W, W]);
    const got = evaluate(A.resampleColour(images(), ry, rx)).data;
    for (let b = 0; b < B; b++) for (let c = 0; c < 3; c++) {
      const planeIn = fromArray(data.subarray((b * 3 + c) * P, (b * 3 + c + 1) * P), ['B', 'H', 'W'], [1, H, W]);
      const one = evaluate(A.resample(planeIn, fromArray(b === 1 ? A.identityWeights(H) : gy, ['B', 'O', 'H'], [1, H, H]), fromArray(b === 1 ? A.identityWeights(W) : gx, ['B', 'P', 'W'], [1, W, W]))).data;
      one.forEach((v, i) => assert.ok(Math.abs(got[(b * 3 + c) * P + i]! - v) < 1e-12));
    }
    const sol = evaluate(A.solarizeColour(images(), perImage([1, 0, 1]))).data;
    sol.forEach((v, i) => {
      const b = Math.floor(i / (3 * P));
      const x = data[i]!;
      assert.equal(v, b !== 1 && x >= 128 / 255 ? 1 - x : x);
    });
  });

  it('samples torchvision\'s ranges and a permutation; skipped images get identity factors', () => {
    const d = A.sampleColourJitter([0.1, 0.99, 0.99, 0.99, 0, 1, 0.5, 1], A.DINO_COLOUR_JITTER);
    assert.deepEqual(d.order.slice().sort(), [0, 1, 2, 3]);
    assert.ok(Math.abs(d.brightness - 0.6) < 1e-12 && Math.abs(d.contrast - 1.4) < 1e-12 && Math.abs(d.saturation - 1) < 1e-12 && Math.abs(d.hue - 0.1) < 1e-12);
    assert.deepEqual(A.sampleColourJitter([0.85, 0, 0, 0, 0, 0, 0, 0], A.DINO_COLOUR_JITTER), { brightness: 1, contrast: 1, saturation: 1, hue: 0, order: [0, 1, 2, 3] });
    const seen = new Set<string>();
    for (let a = 0; a < 4; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 2; c++) seen.add(A.sampleColourJitter([0, (a + 0.5) / 4, (b + 0.5) / 3, (c + 0.5) / 2, 0, 0, 0, 0], A.DINO_COLOUR_JITTER).order.join(''));
    assert.equal(seen.size, 24);
    assert.throws(() => A.sampleColourJitter(new Array(8).fill(0), { ...A.DINO_COLOUR_JITTER, hue: 0.7 }), /hue must be in \[0, 0.5\], got 0.7/);
    assert.throws(() => A.adjustHue(fromArray(new Float64Array(2 * 4), ['B', 'C', 'H', 'W'], [1, 2, 2, 2]), perImage([0])), /1 or 3 channels, got 2/);
  });
});
