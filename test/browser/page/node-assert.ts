/**
 * What the shared test helpers (test/support/random-programs.ts) use of
 * `node:assert`, for the page's bundle: the bundler maps `node:assert` here.
 */
function equal(actual: unknown, expected: unknown, message?: string): void {
  if (!Object.is(actual, expected)) throw new Error(`${message ?? 'not equal'}: ${String(actual)} !== ${String(expected)}`);
}
function ok(value: unknown, message?: string): void {
  if (!value) throw new Error(message ?? 'assertion failed');
}
export const strict = { equal, ok };
export default strict;
