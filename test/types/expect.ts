/** Type-level assertions for the *.types.ts files (typechecked, never run). */

/** Compiles only when T is `true`. */
export type Expect<T extends true> = T;

/** True when A and B are identical types (not merely mutually assignable). */
export type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** The result type of a traced program. */
export type ResultOf<P> = P extends { readonly __types?: (args: never) => infer R } ? R : never;
