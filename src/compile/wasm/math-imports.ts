/**
 * The JavaScript functions a kernel module imports (module "math"): those
 * elementwise ops of kernel-ops.ts whose f32 form is an import (no f32
 * instruction for them), in function-index order.
 */
import { binaryKernelOps, unaryKernelOps, type WasmScalar } from '../kernel-ops.js';
import { ValType, type FuncType, type ImportedFunc } from './encode.js';

const unaryType: FuncType = { params: [ValType.f32], results: [ValType.f32] };
const binaryType: FuncType = { params: [ValType.f32, ValType.f32], results: [ValType.f32] };

/** One imported function: its wasm type and the JavaScript function given for it. */
export interface MathImport {
  /** The wasm type of the import. */
  readonly type: FuncType;
  /** The JavaScript function given for it at instantiation. */
  readonly fn: (...x: number[]) => number;
}

const imported = (table: Record<string, { readonly f32: WasmScalar }>, type: FuncType): [string, MathImport][] =>
  Object.entries(table).flatMap(([op, r]) => ('import' in r.f32 ? [[op, { type, fn: r.f32.import }] as [string, MathImport]] : []));

/** Math the kernels import from JavaScript, by op name, in function-index order. */
export const mathImports: Readonly<Record<string, MathImport>> = Object.fromEntries([
  ...imported(unaryKernelOps, unaryType),
  ...imported(binaryKernelOps, binaryType),
]);

const importNames = Object.keys(mathImports);

/** The imported functions, in function-index order (module "math"). */
export const importedFuncs: readonly ImportedFunc[] = importNames.map((name) => ({ module: 'math', name, type: mathImports[name]!.type }));

/** The function index of an op's import (an op rendered by instructions has none). */
export function importIndex(op: string): number {
  const i = importNames.indexOf(op);
  if (i < 0) throw new Error(`wasm render: op ${op} has no imported math function`);
  return i;
}

/** The `math` object given to WebAssembly.instantiate. */
export function mathObject(): Record<string, (...x: number[]) => number> {
  return Object.fromEntries(importNames.map((name) => [name, mathImports[name]!.fn]));
}
