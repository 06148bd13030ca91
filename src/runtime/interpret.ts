/**
 * The reference interpreter lives in src/ops/interpret.ts (it evaluates each
 * op by its definition, so it sits above ops). This alias keeps the old
 * import path working for code written against it.
 */
export * from '../ops/interpret.js';
