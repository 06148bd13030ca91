/**
 * Golden files (the format of the vectors computed by the official PyTorch
 * code): decoded with io-ts, so a malformed file is rejected with a message
 * naming the field, never half-read.
 */
import * as t from 'io-ts';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import type { NDArray } from '../runtime/ndarray.js';
import { numelOf } from '../runtime/ndarray.js';

const Dtype = t.keyof({ float64: null, float32: null, int64: null, bool: null });

const RawTensor = t.type({
  shape: t.array(t.number),
  dtype: Dtype,
  data: t.array(t.union([t.number, t.boolean])),
});

export type GoldenTensor = t.TypeOf<typeof RawTensor>;

const Source = t.type({ repo: t.string, commit: t.string, file: t.string, symbol: t.string });

const RawFile = t.intersection([
  t.type({
    source: Source,
    config: t.UnknownRecord,
    inputs: t.record(t.string, RawTensor),
    outputs: t.record(t.string, RawTensor),
  }),
  t.partial({
    params: t.record(t.string, RawTensor),
    grads: t.record(t.string, RawTensor),
  }),
]);

export interface GoldenFile {
  readonly source: t.TypeOf<typeof Source>;
  readonly config: Readonly<Record<string, unknown>>;
  readonly inputs: Readonly<Record<string, GoldenTensor>>;
  readonly params: Readonly<Record<string, GoldenTensor>>;
  readonly outputs: Readonly<Record<string, GoldenTensor>>;
  readonly grads: Readonly<Record<string, GoldenTensor>>;
}

/** io-ts's errors as readable lines: 'inputs.x.shape.1: expected number, got "a"'. */
function describeErrors(errors: t.Errors): string[] {
  return errors.map((e) => {
    const path = e.context
      .map((c) => c.key)
      .filter((k) => k !== '')
      .join('.');
    const expected = e.context[e.context.length - 1]?.type.name ?? 'value';
    return `${path || '(root)'}: expected ${expected}, got ${JSON.stringify(e.value)?.slice(0, 60)}`;
  });
}

/** Shape and data must agree, and every shape entry must be a non-negative integer. */
function checkTensors(section: string, tensors: Readonly<Record<string, GoldenTensor>>): string[] {
  const problems: string[] = [];
  for (const [name, x] of Object.entries(tensors)) {
    const bad = x.shape.findIndex((n) => !Number.isInteger(n) || n < 0);
    if (bad >= 0) problems.push(`${section}.${name}.shape[${bad}]: ${x.shape[bad]} is not a size`);
    else if (x.data.length !== numelOf(x.shape)) problems.push(`${section}.${name}.data: ${x.data.length} values for shape [${x.shape.join(', ')}] (needs ${numelOf(x.shape)})`);
  }
  return problems;
}

export function decodeGolden(json: unknown): Either<string[], GoldenFile> {
  const raw = RawFile.decode(json);
  if (isLeft(raw)) return left(describeErrors(raw.left));
  const file: GoldenFile = { ...raw.right, params: raw.right.params ?? {}, grads: raw.right.grads ?? {} };
  const problems = (['inputs', 'params', 'outputs', 'grads'] as const).flatMap((s) => checkTensors(s, file[s]));
  return problems.length > 0 ? left(problems) : right(file);
}

/** A golden tensor's values as float64 (booleans as 0/1). */
export function goldenData(x: GoldenTensor): Float64Array {
  return Float64Array.from(x.data, (v) => (typeof v === 'boolean' ? (v ? 1 : 0) : v));
}

/** A golden tensor under axis names of our choosing (one per dimension). */
export function goldenArray<const S extends string[]>(x: GoldenTensor, axes: S, what = 'tensor'): NDArray<S> {
  if (axes.length !== x.shape.length) throw new Error(`${what}: golden shape [${x.shape.join(', ')}] has ${x.shape.length} dimensions, axes [${axes.join(', ')}] name ${axes.length}`);
  return { axes, sizes: [...x.shape], data: goldenData(x) };
}
