import fc from 'fast-check';
import * as sg from '../../src/index.js';
import type { NDArray } from '../../src/index.js';
import { tensorOf } from '../../src/testing/index.js';
import { assertClose, assertShape, assertShapeError, constant, evalFn, get, gradientProperty, nd, permutation, property, tabulate, type T } from '../support/op-cases.js';

interface ConvCase {
  readonly inputs: NDArray[];
  readonly stride: number;
  readonly padding: number;
  readonly groups: number;
}

const outSize = (n: number, k: number, s: number, p: number) => Math.floor((n + 2 * p - k) / s) + 1;

/**
 * x [B, C, H, W] and w [D, C / groups, KH, KW], each with its axes in a random
 * order; H and W chosen so the output is 1..3 wide (sometimes with a leftover
 * row the stride skips).
 */
function convCase(kind: 'dense' | 'grouped' | 'depthwise'): fc.Arbitrary<ConvCase> {
  const groups = kind === 'dense' ? fc.constant(1) : kind === 'grouped' ? fc.constantFrom(2, 3) : fc.integer({ min: 1, max: 3 });
  return fc
    .record({
      groups,
      perGroupIn: kind === 'depthwise' ? fc.constant(1) : fc.integer({ min: 1, max: 2 }),
      perGroupOut: kind === 'depthwise' ? fc.constant(1) : fc.integer({ min: 1, max: 2 }),
      batch: fc.integer({ min: 1, max: 2 }),
      // up to 4×4: kernels of more than 9 taps take conv2d's other path (a sum per tap, not im2col)
      kh: fc.integer({ min: 1, max: 4 }),
      kw: fc.integer({ min: 1, max: 4 }),
      stride: fc.integer({ min: 1, max: 2 }),
      padding: fc.integer({ min: 0, max: 1 }),
      ho: fc.integer({ min: 1, max: 3 }),
      wo: fc.integer({ min: 1, max: 3 }),
      extraH: fc.integer({ min: 0, max: 1 }),
      extraW: fc.integer({ min: 0, max: 1 }),
      xOrder: permutation(['B', 'C', 'H', 'W']),
      wOrder: permutation(['D', 'C', 'KH', 'KW']),
    })
    .chain((p) => {
      const size = (o: number, k: number, extra: number) => Math.max(1, (o - 1) * p.stride + k - 2 * p.padding + (p.stride > 1 ? extra : 0));
      const xs: Record<string, number> = { B: p.batch, C: p.groups * p.perGroupIn, H: size(p.ho, p.kh, p.extraH), W: size(p.wo, p.kw, p.extraW) };
      const ws: Record<string, number> = { D: p.groups * p.perGroupOut, C: p.perGroupIn, KH: p.kh, KW: p.kw };
      // A padded input can still be smaller than the kernel; grow it until one window fits.
      while (outSize(xs['H']!, p.kh, p.stride, p.padding) < 1) xs['H'] = xs['H']! + 1;
      while (outSize(xs['W']!, p.kw, p.stride, p.padding) < 1) xs['W'] = xs['W']! + 1;
      return fc
        .tuple(tensorOf(p.xOrder, p.xOrder.map((a) => xs[a]!)), tensorOf(p.wOrder, p.wOrder.map((a) => ws[a]!)))
        .map(([x, w]) => ({ inputs: [x, w], stride: p.stride, padding: p.padding, groups: p.groups }));
    });
}

/** PyTorch's Conv2d, written out: out[b, o, i, j] = sum_{c, u, v} xpad[b, g(o) * C/G + c, i*s + u, j*s + v] * w[o, c, u, v]. */
function conv2dReference(x: NDArray, w: NDArray, stride: number, padding: number, groups: number): NDArray {
  const size = (t: NDArray, a: string) => t.sizes[t.axes.indexOf(a)]!;
  const [B, C, H, W] = ['B', 'C', 'H', 'W'].map((a) => size(x, a)) as [number, number, number, number];
  const [D, KH, KW] = ['D', 'KH', 'KW'].map((a) => size(w, a)) as [number, number, number];
  const cg = C / groups;
  const og = D / groups;
  const Ho = outSize(H, KH, stride, padding);
  const Wo = outSize(W, KW, stride, padding);
  const xpad = (b: number, c: number, h: number, v: number) => (h < 0 || h >= H || v < 0 || v >= W ? 0 : get(x, { B: b, C: c, H: h, W: v }));
  const out = new Map<string, number>();
  for (let b = 0; b < B; b++)
    for (let o = 0; o < D; o++)
      for (let i = 0; i < Ho; i++)
        for (let j = 0; j < Wo; j++) {
          let acc = 0;
          const g = Math.floor(o / og);
          for (let c = 0; c < cg; c++)
            for (let u = 0; u < KH; u++)
              for (let v = 0; v < KW; v++) acc += xpad(b, g * cg + c, i * stride + u - padding, j * stride + v - padding) * get(w, { D: o, C: c, KH: u, KW: v });
          out.set(`${b},${o},${i},${j}`, acc);
        }
  const axes = x.axes.map((a) => (a === 'C' ? 'D' : a));
  const sizes = axes.map((a) => ({ B, D, H: Ho, W: Wo })[a as 'B']);
  return tabulate(axes, sizes, (idx) => out.get(`${idx['B']},${idx['D']},${idx['H']},${idx['W']}`)!);
}

const conv = (c: ConvCase) => (x: T, w: T) => sg.conv2d(x, w, { stride: c.stride, padding: c.padding, groups: c.groups });

describe('ops/conv', () => {
  for (const kind of ['dense', 'grouped', 'depthwise'] as const) {
    describe(`conv2d (${kind})`, () => {
      it('gradients for input and weight match finite differences (random stride, padding, kernel, axis order)', () => {
        gradientProperty(convCase(kind), conv);
      });
      it("matches a direct cross-correlation following PyTorch's Conv2d definition", () => {
        property(convCase(kind), (c) => {
          const [x, w] = c.inputs as [NDArray, NDArray];
          const want = conv2dReference(x, w, c.stride, c.padding, c.groups);
          const got = evalFn(conv(c), [x, w]);
          assertShape(got, want.axes, want.sizes);
          assertClose(got.data, want.data, { rtol: 1e-12, atol: 1e-12 });
        });
      });
    });
  }

  it('custom axis names', () => {
    const x = nd(['N', 'Y', 'X', 'Ch'], [1, 3, 3, 2], Array.from({ length: 18 }, (_, i) => i / 7 - 1));
    const w = nd(['O', 'Ch', 'U', 'V'], [2, 2, 2, 2], Array.from({ length: 16 }, (_, i) => (i % 5) - 2));
    const axes = { channels: 'Ch', out: 'O', height: 'Y', width: 'X', kh: 'U', kw: 'V' };
    const got = evalFn((a, b) => sg.conv2d(a, b, { padding: 1 }, axes), [x, w]);
    const rename = (t: NDArray, m: Record<string, string>) => nd(t.axes.map((a) => m[a] ?? a), t.sizes, t.data);
    const want = conv2dReference(rename(x, { N: 'B', Y: 'H', X: 'W', Ch: 'C' }), rename(w, { O: 'D', Ch: 'C', U: 'KH', V: 'KW' }), 1, 1, 1);
    assertShape(got, ['N', 'Y', 'X', 'O'], [1, 4, 4, 2]);
    assertClose(got.data, want.data, { rtol: 1e-12, atol: 1e-12 });
  });

  it('shape errors name the axis and sizes', () => {
    const x = constant(nd(['B', 'C', 'H', 'W'], [1, 4, 3, 3], new Float64Array(36)), 'x');
    const w = (d: number, c: number, k = 3) => constant(nd(['D', 'C', 'KH', 'KW'], [d, c, k, k], new Float64Array(d * c * k * k)), 'w');
    assertShapeError(() => sg.conv2d(x, w(2, 3)), 'conv2d', 'axis C of the weight has size 3', '4 input channels', 'need 4');
    assertShapeError(() => sg.conv2d(x, w(2, 2), { groups: 3 }), 'conv2d', 'groups 3', '4 input channels', 'axis C');
    assertShapeError(() => sg.conv2d(x, w(3, 2), { groups: 2 }), 'conv2d', 'groups 2', '3 output channels');
    assertShapeError(() => sg.conv2d(x, w(2, 4, 5)), 'conv2d', 'axis H of size 3', 'kernel (5)');
    assertShapeError(() => sg.conv2d(x, w(2, 4), { stride: 0 }), 'conv2d', 'stride 0');
    assertShapeError(() => sg.conv2d(x, w(2, 4), { padding: -1 }), 'conv2d', 'padding -1');
    assertShapeError(() => sg.conv2d(x, constant(nd(['D', 'C', 'KH'], [2, 4, 3], new Float64Array(24)), 'w3')), 'conv2d', 'axis KW');
  });
});
