/**
 * Einsum specs such as 'B N C, C D -> B N D', parsed twice: by TypeScript's
 * checker (template literal types) so wrong programs do not compile, and at
 * run time (with sizes) so the same rules hold for untyped callers.
 * Axis names are separated by spaces, operands by commas; every axis name is
 * a label, so a tensor's axes must equal its term exactly.
 */
import type { Shape } from './types.js';
import { ShapeError } from './errors.js';

type Trim<S extends string> = S extends ` ${infer R}` ? Trim<R> : S extends `${infer R} ` ? Trim<R> : S;

/** 'B N C' -> ['B', 'N', 'C'] (repeated spaces allowed). */
export type Words<S extends string> =
  Trim<S> extends ''
    ? []
    : Trim<S> extends `${infer H} ${infer T}`
      ? [H, ...Words<T>]
      : [Trim<S>];

type Terms<S extends string> = S extends `${infer H},${infer T}` ? [Words<H>, ...Terms<T>] : [Words<S>];

/** The operand shapes of a spec. */
export type EinsumInputs<Spec extends string> = Spec extends `${infer L}->${string}` ? Terms<L> : never;

/** The result shape of a spec. */
export type EinsumOutput<Spec extends string> = Spec extends `${string}->${infer R}` ? Words<R> : never;

type HasDuplicate<S extends Shape> = S extends readonly [infer H, ...infer T extends Shape]
  ? H extends T[number]
    ? true
    : HasDuplicate<T>
  : false;

type AllLabels<T extends readonly Shape[]> = T[number][number];

/**
 * The spec itself when it is well formed: an arrow, no repeated axis within a
 * term, and every output axis present in some operand. Otherwise a message type
 * that makes the call fail to compile.
 */
export type ValidSpec<Spec extends string> = Spec extends `${string}->${string}`
  ? HasDuplicate<EinsumOutput<Spec>> extends true
    ? `einsum: an axis is repeated in the output of '${Spec}'`
    : true extends { [K in keyof EinsumInputs<Spec>]: HasDuplicate<Extract<EinsumInputs<Spec>[K], Shape>> }[number]
      ? `einsum: an axis is repeated within an operand of '${Spec}'`
      : [Exclude<EinsumOutput<Spec>[number], AllLabels<EinsumInputs<Spec>>>] extends [never]
        ? Spec
        : `einsum: output axis '${Exclude<EinsumOutput<Spec>[number], AllLabels<EinsumInputs<Spec>>>}' appears in no operand of '${Spec}'`
  : `einsum: '${Spec}' has no '->'`;

export interface ParsedEinsum {
  readonly inputs: readonly (readonly string[])[];
  readonly output: readonly string[];
}

function words(term: string): string[] {
  return term.trim().split(/\s+/).filter((w) => w.length > 0);
}

/** The run-time twin of the type-level parser, with the same rules. */
export function parseEinsum(spec: string): ParsedEinsum {
  const arrow = spec.indexOf('->');
  if (arrow < 0 || spec.indexOf('->', arrow + 2) >= 0) {
    throw new ShapeError(`einsum: spec '${spec}' must contain exactly one '->'`, { op: 'einsum' });
  }
  const inputs = spec.slice(0, arrow).split(',').map(words);
  const output = words(spec.slice(arrow + 2));
  const seen = new Set<string>();
  for (const [i, term] of [...inputs, output].entries()) {
    const where = i < inputs.length ? `operand ${i + 1}` : 'the output';
    const inTerm = new Set<string>();
    for (const axis of term) {
      if (inTerm.has(axis)) throw new ShapeError(`einsum '${spec}': axis ${axis} is repeated in ${where}`, { op: 'einsum', axis });
      inTerm.add(axis);
      if (i < inputs.length) seen.add(axis);
      else if (!seen.has(axis)) throw new ShapeError(`einsum '${spec}': output axis ${axis} appears in no operand`, { op: 'einsum', axis });
    }
  }
  return { inputs, output };
}
