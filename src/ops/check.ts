/** Shared shape checks whose messages name the op, the axis and the sizes. */
import { ShapeError, describeShape } from '../shape/errors.js';
import type { Tensor } from '../ir/tensor.js';

/** How a tensor is named in messages: its input or constant name, else its op. */
export function labelOf(t: Tensor): string {
  const name = t.attrs['name'];
  return typeof name === 'string' && name !== '' ? `'${name}'` : `(${t.op} ${describeShape(t.axes, t.sizes)})`;
}

export function requireSameShape(op: string, a: Tensor, b: Tensor): void {
  const sameAxes = a.axes.length === b.axes.length && a.axes.every((x, i) => x === b.axes[i]);
  if (!sameAxes) {
    throw new ShapeError(
      `${op}: operands have axes [${a.axes.join(', ')}] and [${b.axes.join(', ')}]; elementwise ops need the same axes in the same order (use broadcast or transpose explicitly)`,
      { op },
    );
  }
  a.axes.forEach((axis, i) => {
    if (a.sizes[i] !== b.sizes[i]) {
      throw new ShapeError(`${op}: axis ${axis} has size ${a.sizes[i]} in ${labelOf(a)} but ${b.sizes[i]} in ${labelOf(b)}`, {
        op,
        axis,
        sizes: [a.sizes[i]!, b.sizes[i]!],
      });
    }
  });
}

export function requireDistinctAxes(op: string, axes: readonly string[]): void {
  const seen = new Set<string>();
  for (const a of axes) {
    if (seen.has(a)) throw new ShapeError(`${op}: axis ${a} appears twice in [${axes.join(', ')}]`, { op, axis: a });
    seen.add(a);
  }
}

export function requireSizes(op: string, axes: readonly string[], sizes: readonly number[]): void {
  if (axes.length !== sizes.length) throw new ShapeError(`${op}: ${axes.length} axes [${axes.join(', ')}] but ${sizes.length} sizes`, { op });
  axes.forEach((axis, i) => {
    const n = sizes[i]!;
    if (!Number.isInteger(n) || n < 0) throw new ShapeError(`${op}: axis ${axis} has size ${n}; sizes must be non-negative integers`, { op, axis, sizes: [n] });
  });
  requireDistinctAxes(op, axes);
}

export function axisIndex(op: string, t: Tensor, axis: string): number {
  const i = t.axes.indexOf(axis);
  if (i < 0) throw new ShapeError(`${op}: ${labelOf(t)} has no axis ${axis}; its axes are [${t.axes.join(', ')}]`, { op, axis });
  return i;
}
