/** A shape or size disagreement, reported by axis name and sizes. */
export class ShapeError extends Error {
  constructor(
    message: string,
    readonly details: { readonly op?: string; readonly axis?: string; readonly sizes?: readonly number[] } = {},
  ) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Bad user data at a boundary: wrong length, a NaN where none is allowed, ... */
export class InputError extends Error {
  constructor(message: string, readonly input?: string) {
    super(message);
    this.name = 'InputError';
  }
}

export function describeShape(axes: readonly string[], sizes: readonly number[]): string {
  return `[${axes.map((a, i) => `${a}=${sizes[i]}`).join(', ')}]`;
}
