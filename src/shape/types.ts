/**
 * Shapes at the type level: an axis is a name, a shape is a tuple of names.
 * Sizes are runtime facts carried by each tensor and checked by each op.
 */

/** An axis name such as 'B', 'N', 'C' or a derived name such as 'H*W'. */
export type Axis = string;

/** A shape: a tuple of distinct axis names, outermost first (row-major). */
export type Shape = readonly Axis[];

/** Sizes bound to axis names, e.g. `{ B: 64, N: 49, C: 64 }`. */
export type Sizes = Readonly<Record<Axis, number>>;

/** The axes of S without those in A, order kept. */
export type Without<S extends Shape, A extends Axis> = S extends readonly [
  infer H extends Axis,
  ...infer T extends Shape,
]
  ? [H] extends [A]
    ? Without<T, A>
    : [H, ...Without<T, A>]
  : [];

/** Replace the adjacent axes A, B of S by the derived axis `A*B`. */
export type FlattenPair<S extends Shape, A extends Axis, B extends Axis> = S extends readonly [
  infer H extends Axis,
  infer I extends Axis,
  ...infer T extends Shape,
]
  ? [H, I] extends [A, B]
    ? [`${A}*${B}`, ...T]
    : [H, ...FlattenPair<[I, ...T], A, B>]
  : never;

/** The axis that follows A in S (never when A is last or absent). */
export type NextAxis<S extends Shape, A extends Axis> = number extends S['length']
  ? S[number]
  : NextAxisOfTuple<S, A>;

type NextAxisOfTuple<S extends Shape, A extends Axis> = S extends readonly [infer H extends Axis, infer I extends Axis, ...infer T extends Shape]
  ? [H] extends [A]
    ? I
    : NextAxisOfTuple<[I, ...T], A>
  : never;

/** Intersect a record parameter with this to reject keys that are not axes of S. */
export type OnlyAxesOf<S extends Shape, M> = Record<Exclude<keyof M, S[number]>, never>;

/** Replace axis A of S by the axes R (used by unflatten and gather). */
export type ReplaceAxis<S extends Shape, A extends Axis, R extends Shape> = S extends readonly [
  infer H extends Axis,
  ...infer T extends Shape,
]
  ? [H] extends [A]
    ? [...R, ...T]
    : [H, ...ReplaceAxis<T, A, R>]
  : [];

/** Rename axes of S by the record M (names missing from M stay). */
export type RenameAxes<S extends Shape, M extends Partial<Record<Axis, Axis>>> = {
  [K in keyof S]: S[K] extends keyof M ? (M[S[K]] extends Axis ? M[S[K]] : S[K]) : S[K];
};

/** True when T holds exactly the axes of S (a permutation). */
export type IsPermutationOf<S extends Shape, T extends Shape> = [Exclude<S[number], T[number]>] extends [never]
  ? [Exclude<T[number], S[number]>] extends [never]
    ? S['length'] extends T['length']
      ? true
      : false
    : false
  : false;

/** Intersect a parameter with this to accept only permutations of S (never otherwise). */
export type RequirePermutation<S extends Shape, T extends Shape> = IsPermutationOf<S, T> extends true ? unknown : never;

/** Intersect a parameter with this to accept only supersets of S's axes. */
export type RequireSuperset<S extends Shape, T extends Shape> = [Exclude<S[number], T[number]>] extends [never] ? unknown : never;

