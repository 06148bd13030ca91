/**
 * Every primitive, keyed by name. The registry is a const record, so a table
 * keyed by OpName that misses an op fails to compile.
 */
import type { OpDef } from './define.js';
import { constantOp, fillOp, inputOp, iotaOp } from './sources.js';
import * as ew from './elementwise.js';
import { maxOp, sumOp } from './reduce.js';
import { broadcastOp, reshapeOp, transposeOp } from './layout.js';
import { concatOp, padOp, sliceOp } from './slicing.js';
import { einsumOp } from './einsum.js';
import { gatherOp, oneHotOp, scatterAddOp } from './gather.js';
import { identityOp, stopGradientOp } from './identity.js';
import { randomOp } from './random.js';
import { softplusOp } from './activations.js';

/** Every built-in op by name (the interpreter's and the compilers' table). */
export const registry = {
  constant: constantOp,
  input: inputOp,
  fill: fillOp,
  iota: iotaOp,
  random: randomOp,
  neg: ew.negOp,
  exp: ew.expOp,
  log: ew.logOp,
  sqrt: ew.sqrtOp,
  reciprocal: ew.reciprocalOp,
  abs: ew.absOp,
  sign: ew.signOp,
  floor: ew.floorOp,
  sin: ew.sinOp,
  cos: ew.cosOp,
  tanh: ew.tanhOp,
  erf: ew.erfOp,
  softplus: softplusOp,
  add: ew.addOp,
  sub: ew.subOp,
  mul: ew.mulOp,
  div: ew.divOp,
  maximum: ew.maximumOp,
  minimum: ew.minimumOp,
  pow: ew.powOp,
  less: ew.lessOp,
  greater: ew.greaterOp,
  equal: ew.equalOp,
  select: ew.selectOp,
  sum: sumOp,
  max: maxOp,
  broadcast: broadcastOp,
  reshape: reshapeOp,
  transpose: transposeOp,
  slice: sliceOp,
  pad: padOp,
  concat: concatOp,
  einsum: einsumOp,
  gather: gatherOp,
  scatterAdd: scatterAddOp,
  oneHot: oneHotOp,
  identity: identityOp,
  stopGradient: stopGradientOp,
} as const;

/** The name of a built-in op. */
export type OpName = keyof typeof registry;

// Each op's name must equal its key: checked once at load so a typo cannot hide.
for (const [key, op] of Object.entries(registry)) {
  if (op.name !== key) throw new Error(`op registry: key ${key} holds op ${op.name}`);
}

export function opDef(name: string): OpDef<never> {
  const op = (registry as Record<string, OpDef<never>>)[name];
  if (op === undefined) throw new Error(`unknown op ${name}`);
  return op;
}
