/**
 * Contraction. The primitive is an einsum over one or two operands whose
 * labels are the operands' axis names; `einsum` with more operands folds
 * pairwise. Its VJP is again an einsum, so gradients of any order work.
 */
import type { Shape, Without } from '../shape/types.js';
import { ShapeError } from '../shape/errors.js';
import { parseEinsum, type EinsumInputs, type EinsumOutput, type ValidSpec } from '../shape/einsum-spec.js';
import type { Tensor } from '../ir/tensor.js';
import { forEachOffset, numelOf, stridesAlong } from '../runtime/ndarray.js';
import { apply, defineOp, type OpDef } from './define.js';
import { labelOf } from './check.js';
import { broadcastTo } from './layout.js';

export interface EinsumAttrs {
  readonly [key: string]: readonly (readonly string[])[] | readonly string[];
  readonly inputs: readonly (readonly string[])[];
  readonly output: readonly string[];
}

const specText = (a: EinsumAttrs): string => `${a.inputs.map((t) => t.join(' ')).join(', ')} -> ${a.output.join(' ')}`;

/** Size of every label, checking that operands agree (messages name the axis and both sizes). */
function labelSizes(xs: readonly Tensor[], a: EinsumAttrs): Map<string, number> {
  const sizes = new Map<string, number>();
  const owner = new Map<string, number>();
  xs.forEach((x, k) => {
    const term = a.inputs[k]!;
    const same = term.length === x.rank && term.every((l, i) => l === x.axes[i]);
    if (!same) {
      throw new ShapeError(`einsum '${specText(a)}': operand ${k + 1} ${labelOf(x)} has axes [${x.axes.join(', ')}] but the spec says [${term.join(', ')}]`, { op: 'einsum' });
    }
    term.forEach((l, i) => {
      const n = x.sizes[i]!;
      const seen = sizes.get(l);
      if (seen !== undefined && seen !== n) {
        const j = owner.get(l)!;
        throw new ShapeError(`einsum '${specText(a)}': axis ${l} has size ${seen} in operand ${j + 1} ${labelOf(xs[j]!)} but ${n} in operand ${k + 1} ${labelOf(x)}`, {
          op: 'einsum',
          axis: l,
          sizes: [seen, n],
        });
      }
      sizes.set(l, n);
      owner.set(l, k);
    });
  });
  return sizes;
}

export const einsumOp: OpDef<EinsumAttrs> = defineOp<EinsumAttrs>({
  name: 'einsum',
  shape: (xs, a) => {
    if (xs.length < 1 || xs.length > 2 || a.inputs.length !== xs.length) {
      throw new ShapeError(`einsum '${specText(a)}': the primitive takes 1 or 2 operands matching the spec, got ${xs.length}`, { op: 'einsum' });
    }
    const sizes = labelSizes(xs, a);
    a.output.forEach((l) => {
      if (!sizes.has(l)) throw new ShapeError(`einsum '${specText(a)}': output axis ${l} appears in no operand`, { op: 'einsum', axis: l });
    });
    return { axes: a.output, sizes: a.output.map((l) => sizes.get(l)!) };
  },
  evaluate: (xs, a, out) => {
    const labels = [...new Set(a.inputs.flat())];
    const sizeOf = new Map<string, number>();
    xs.forEach((x) => x.axes.forEach((l, i) => sizeOf.set(l, x.sizes[i]!)));
    const loop = labels.map((l) => sizeOf.get(l)!);
    const result = new Float64Array(numelOf(out.sizes));
    const outStrides = stridesAlong(out.axes, out.sizes, labels);
    const [x, y] = xs as [typeof xs[0], typeof xs[0] | undefined];
    const xStrides = stridesAlong(x!.axes, x!.sizes, labels);
    if (y === undefined) {
      forEachOffset(loop, [outStrides, xStrides], ([o, i]) => {
        result[o!] = result[o!]! + x!.data[i!]!;
      });
    } else {
      const yStrides = stridesAlong(y.axes, y.sizes, labels);
      forEachOffset(loop, [outStrides, xStrides, yStrides], ([o, i, j]) => {
        result[o!] = result[o!]! + x!.data[i!]! * y.data[j!]!;
      });
    }
    return result;
  },
  vjp: (node, g, a): (Tensor | undefined)[] =>
    node.inputs.map((x, k): Tensor => {
      const others = node.inputs.filter((_, j) => j !== k);
      const otherTerms = a.inputs.filter((_, j) => j !== k);
      const available = new Set([...a.output, ...otherTerms.flat()]);
      const present = x.axes.filter((l) => available.has(l));
      const partial: Tensor = apply<Shape, EinsumAttrs>(einsumOp, [g, ...others], { inputs: [a.output, ...otherTerms], output: present });
      return present.length === x.rank ? partial : broadcastTo(partial, x.axes, x.sizes);
    }),
  describe: (a) => `'${specText(a)}'`,
});

type TensorsFor<T> = { [K in keyof T]: Tensor<Extract<T[K], Shape>> };
type Operands<Spec extends string> = TensorsFor<EinsumInputs<Spec>>;

/**
 * einsum('B N C, C D -> B N D', x, w): labels are axis names, so each
 * operand's axes must equal its term. Checked by the type checker and again,
 * with sizes, when the node is made.
 */
export function einsum<const Spec extends string>(spec: Spec & ValidSpec<Spec>, ...operands: Operands<Spec> & Tensor[]): Tensor<EinsumOutput<Spec>> {
  const parsed = parseEinsum(spec);
  const xs = operands as readonly Tensor[];
  if (xs.length !== parsed.inputs.length) {
    throw new ShapeError(`einsum '${spec}': the spec has ${parsed.inputs.length} operands but ${xs.length} were given`, { op: 'einsum' });
  }
  if (xs.length <= 2) return apply(einsumOp, xs, { inputs: parsed.inputs, output: parsed.output });
  // Fold left, keeping at each step the labels still needed by the output or later operands.
  let acc = xs[0]!;
  let accTerm = parsed.inputs[0]!;
  for (let k = 1; k < xs.length; k++) {
    const term = parsed.inputs[k]!;
    const last = k === xs.length - 1;
    const later = new Set([...parsed.output, ...parsed.inputs.slice(k + 1).flat()]);
    const keep = last ? parsed.output : [...new Set([...accTerm, ...term])].filter((l) => later.has(l));
    acc = apply(einsumOp, [acc, xs[k]!], { inputs: [accTerm, term], output: keep });
    accTerm = keep;
  }
  return acc as Tensor<EinsumOutput<Spec>>;
}

/** Contract x and y over axis A (present in both); other shared axes are batch axes, kept once. */
export function contract<S extends Shape, T extends Shape, A extends S[number] & T[number]>(
  x: Tensor<S>,
  y: Tensor<T>,
  over: A,
): Tensor<[...Without<S, A>, ...Without<T, A | S[number]>]> {
  const missing = [x, y].find((t) => !t.axes.includes(over));
  if (missing) throw new ShapeError(`contract: ${labelOf(missing)} has no axis ${over}; its axes are [${missing.axes.join(', ')}]`, { op: 'contract', axis: over });
  const output = [...x.axes.filter((l) => l !== over), ...y.axes.filter((l) => l !== over && !x.axes.includes(l))];
  return apply(einsumOp, [x, y], { inputs: [x.axes, y.axes], output });
}
