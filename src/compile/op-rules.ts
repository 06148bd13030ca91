/**
 * What the compiler knows of each op, in one record per op keyed by OpName:
 * its fusion class, how often it reads its inputs' elements, and how it lowers
 * to the kernel IR. The table is a mapped type over OpName, so an op added to
 * ops/registry.ts without a rule here fails to compile. The elementwise ops'
 * rules are derived from kernel-ops.ts, which also holds their renderings.
 */
import type { Tensor } from '../ir/tensor.js';
import type { OpName } from '../ops/registry.js';
import type { Expr } from './kernel-ir.js';
import { binaryKernelOps, unaryKernelOps, type BinaryKernelOp, type UnaryKernelOp } from './kernel-ops.js';
import { lowerings, type Lowering } from './lowerings.js';
import { numelOf } from '../runtime/ndarray.js';

/**
 * How fusion treats an op's node:
 * - `host`: a buffer from the host (inputs, constants, random tensors);
 * - `generated`: index arithmetic (fill, iota), always inlined;
 * - `remap`: a pure index remap (broadcast, reshape, transpose, slice), always inlined;
 * - `alias`: its input itself (identity, stopGradient), always inlined;
 * - `elementwise`: reads its inputs at its own index;
 * - `reduction`: runs a loop per element (sum, max, scatterAdd);
 * - `contraction`: an einsum, a reduction when it contracts an axis;
 * - `indexed`: reads its inputs at other indices (pad, concat, gather, oneHot).
 */
export type FusionClass = 'host' | 'generated' | 'remap' | 'alias' | 'elementwise' | 'reduction' | 'contraction' | 'indexed';

/** The compiler's rule for one op. */
export interface OpRule {
  /** How fusion treats its nodes. */
  readonly fusion: FusionClass;
  /** How many times each element of input k is read while computing all of the node's elements (default 1). */
  readonly readMultiplicity?: (node: Tensor, k: number) => number;
  /** Its lowering to the kernel IR (absent for host buffers, which are never computed in a kernel). */
  readonly lower?: Lowering;
  /**
   * How split-reductions.ts cuts a reduction too long for one GL cell: a `fold` over the axes
   * of its `axes` attribute (sum, max), or a `contraction` over its contracted labels (einsum).
   * Absent: never split.
   */
  readonly splits?: 'fold' | 'contraction';
}

const numel = (t: Tensor): number => numelOf(t.sizes);

const unaryRule = (op: UnaryKernelOp): OpRule => ({
  fusion: 'elementwise',
  lower: (node, idx, cx): Expr => ({ kind: 'unary', op, x: cx.value(node.inputs[0]!, idx) }),
});
const binaryRule = (op: BinaryKernelOp): OpRule => ({
  fusion: 'elementwise',
  lower: (node, idx, cx): Expr => ({ kind: 'binary', op, a: cx.value(node.inputs[0]!, idx), b: cx.value(node.inputs[1]!, idx) }),
});
// K extends OpName: a kernel op that is not a registry op fails to compile here.
const rulesOf = <K extends OpName>(keys: readonly K[], rule: (k: K) => OpRule) =>
  Object.fromEntries(keys.map((k) => [k, rule(k)])) as Record<K, OpRule>;

/** Each element of the input is read once per element of the output it spreads over. */
const spread = (node: Tensor, k: number): number => Math.max(1, numel(node) / Math.max(1, numel(node.inputs[k]!)));

/** Every op's rule. */
export const opRules: { readonly [K in OpName]: OpRule } = {
  ...rulesOf(Object.keys(unaryKernelOps) as UnaryKernelOp[], unaryRule),
  ...rulesOf(Object.keys(binaryKernelOps) as BinaryKernelOp[], binaryRule),
  constant: { fusion: 'host' },
  input: { fusion: 'host' },
  random: { fusion: 'host' },
  fill: { fusion: 'generated', lower: lowerings.fill },
  iota: { fusion: 'generated', lower: lowerings.iota },
  select: { fusion: 'elementwise', lower: lowerings.select },
  identity: { fusion: 'alias', lower: lowerings.passThrough },
  stopGradient: { fusion: 'alias', lower: lowerings.passThrough },
  broadcast: { fusion: 'remap', lower: lowerings.byName, readMultiplicity: (node, k) => numel(node) / Math.max(1, numel(node.inputs[k]!)) },
  transpose: { fusion: 'remap', lower: lowerings.byName },
  reshape: { fusion: 'remap', lower: lowerings.reshape },
  slice: { fusion: 'remap', lower: lowerings.slice },
  pad: { fusion: 'indexed', lower: lowerings.pad },
  concat: { fusion: 'indexed', lower: lowerings.concat },
  gather: { fusion: 'indexed', lower: lowerings.gather, readMultiplicity: spread },
  oneHot: { fusion: 'indexed', lower: lowerings.oneHot, readMultiplicity: (node) => Math.max(1, Number(node.attrs['size'])) },
  sum: { fusion: 'reduction', lower: lowerings.fold, splits: 'fold' },
  max: { fusion: 'reduction', lower: lowerings.fold, splits: 'fold' },
  scatterAdd: { fusion: 'reduction', lower: lowerings.scatterAdd, readMultiplicity: (node) => Math.max(1, Number(node.attrs['size'])) },
  einsum: {
    fusion: 'contraction',
    lower: lowerings.einsum,
    splits: 'contraction',
    // Each element of an input is read once per combination of the labels it lacks.
    readMultiplicity: (node, k) => {
      const input = node.inputs[k]!;
      let m = 1;
      for (const l of new Set(node.inputs.flatMap((x) => x.axes))) {
        if (input.axes.includes(l)) continue;
        const owner = node.inputs.find((x) => x.axes.includes(l))!;
        m *= owner.sizes[owner.axes.indexOf(l)]!;
      }
      return m;
    },
  },
};

/** The rule of a node's op (an op outside the registry is an error naming it). */
export function opRule(op: string): OpRule {
  const rule = (opRules as Record<string, OpRule | undefined>)[op];
  if (rule === undefined) throw new Error(`compile: op ${op} has no compiler rule (not a registry op)`);
  return rule;
}

/** The ops of one fusion class. */
export const opsOfClass = (fusion: FusionClass): ReadonlySet<string> =>
  new Set(Object.entries(opRules as Record<string, OpRule>).filter(([, r]) => r.fusion === fusion).map(([op]) => op));
