/**
 * compileWasmCarried(program, { carry }): a native WebAssembly program whose
 * state stays in the module between calls, as a training loop's parameters and
 * optimiser state do. `carry` maps outputs of the program (top-level keys of the
 * record it returns) to its arguments (by position): after each call the module
 * copies those outputs into the buffers of those arguments, so the next call
 * starts from them, and a call takes only the other arguments and returns only
 * the other outputs. `state()` reads the carried values out (checkpoints,
 * evaluation), `setState()` writes them (the first values, a restored checkpoint).
 * `snapshot()` keeps the carried values as they are now, copied out of the
 * module's memory as float32 (no conversion, no check); `restore(snapshot)` writes them back and
 * `valuesOf(snapshot)` reads them as values: what a caller needs to keep an
 * earlier state readable and resumable after later calls (src/train/resident-state.ts).
 *
 * The copies run on the calling thread after every thread has finished the call,
 * inside the module's memory (no float32/float64 conversion, no check), so a
 * carried loop computes exactly what the same calls would with the outputs passed
 * back by hand: float32 values widened to float64 and narrowed again are unchanged.
 */
import type { Program } from '../../ir/trace.js';
import type { TreeDef } from '../../ir/tree.js';
import { unflattenTree } from '../../ir/tree.js';
import type { InputsOf } from '../../ops/interpret.js';
import { InputError, describeShape } from '../../shape/errors.js';
import { bindValue, leavesPerArgument, someArgumentLeaves, treeLeaves } from '../../runtime/bind.js';
import type { OutputPrecision, OutputsOf } from '../../runtime/float32.js';
import { hostValue, readBuffer, writeInput, wasmRunner, wasmRunnerAsync, type CallIO, type WasmCompileOptions, type WasmCompiledProgram, type WasmRunner } from './program.js';

/** Which outputs are carried to which arguments: an output's key in the record the program returns, to an argument's position. */
export type CarrySpec<R = unknown> = { readonly [K in keyof R & string]?: number };

/** Options of compileWasmCarried: the backend's, and what is carried. */
export interface WasmCarriedOptions<C extends CarrySpec, P extends OutputPrecision = 'float64'> extends WasmCompileOptions<P> {
  readonly carry: C;
}

/** A tuple without the elements at positions I. */
export type WithoutPositions<T extends readonly unknown[], I, Seen extends readonly unknown[] = []> = number extends T['length']
  ? T
  : T extends readonly [infer H, ...infer Rest]
    ? Seen['length'] extends I
      ? WithoutPositions<Rest, I, [...Seen, H]>
      : [H, ...WithoutPositions<Rest, I, [...Seen, H]>]
    : [];

/** A record's value without the keys K (any other value as it is). */
export type WithoutKeys<T, K extends PropertyKey> = T extends readonly unknown[] ? T : Omit<T, K>;

/** The carried values, by output key. */
export type CarriedState<R, C extends CarrySpec, P extends OutputPrecision> = { readonly [K in keyof C & keyof R]: OutputsOf<R[K], P> };

/** Values for setState: each carried output's key, with a value shaped like the argument it is carried to. */
export type CarriedInputs<A extends readonly unknown[], C extends CarrySpec> = { readonly [K in keyof C]: C[K] extends number ? InputsOf<A>[C[K]] : never };

/** A program compiled with some of its outputs carried into its next call's arguments. */
export interface WasmCarriedProgram<A extends readonly unknown[], R, C extends CarrySpec, P extends OutputPrecision = 'float64'>
  extends Pick<WasmCompiledProgram<A, R, P>, 'graph' | 'kernels' | 'buffers' | 'offsets' | 'bytes' | 'schedule' | 'lastRun' | 'kernelTimes' | 'destroy'> {
  /** Positions of the arguments a call takes (those not carried), in order. */
  readonly freeArguments: readonly number[];
  /** One call on the arguments not carried; returns the outputs not carried. Needs setState first. */
  run(...args: WithoutPositions<InputsOf<A>, C[keyof C]>): Promise<WithoutKeys<OutputsOf<R, P>, keyof C>>;
  /** The same, synchronously. */
  runSync(...args: WithoutPositions<InputsOf<A>, C[keyof C]>): WithoutKeys<OutputsOf<R, P>, keyof C>;
  /** The carried values (copies): after setState, then after each call the outputs it carried. */
  state(): CarriedState<R, C, P>;
  /** Write the carried values, checked like a call's arguments (shape, element count, finite, float32's range). */
  setState(values: CarriedInputs<A, C>): void;
  /** The carried values as they are now, kept in one float32 copy (no conversion, no check). */
  snapshot(): CarriedSnapshot;
  /** Write a snapshot of this program's back as the carried values. */
  restore(snapshot: CarriedSnapshot): void;
  /** A snapshot's values, as `state()` gives the carried ones. */
  valuesOf(snapshot: CarriedSnapshot): CarriedState<R, C, P>;
}

/** The carried values of one program at one moment (from its `snapshot()`): opaque, for its `restore` and `valuesOf`. */
export interface CarriedSnapshot {
  readonly program: symbol;
  readonly data: Float32Array;
}

/** One carried output: its key, the argument it feeds, and the graph's outputs and inputs paired leaf by leaf. */
export interface CarriedPair {
  readonly key: string;
  readonly argument: number;
  readonly outputs: readonly number[];
  readonly inputs: readonly number[];
}

/** What is carried, checked against the program: the pairs, and the arguments a call still takes. */
export interface CarryPlan {
  readonly pairs: readonly CarriedPair[];
  readonly freeArguments: readonly number[];
}

const leafCount = (d: TreeDef): number => (d.kind === 'leaf' ? 1 : d.items.reduce((n, item) => n + leafCount(item), 0));

function sameStructure(a: TreeDef, b: TreeDef): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'leaf') return true;
  if (a.items.length !== (b as typeof a).items.length) return false;
  if (a.kind === 'record' && a.keys.join('\u0000') !== (b as typeof a).keys.join('\u0000')) return false;
  return a.items.every((item, i) => sameStructure(item, (b as typeof a).items[i]!));
}

const firsts = (counts: readonly number[]) => counts.map((_, i) => counts.slice(0, i).reduce((a, b) => a + b, 0));

/** The carry declaration checked against a program: every key an output, every position an argument of the same structure and shapes, each argument at most once. */
export function planCarry(program: Pick<Program, 'graph' | 'inputDef' | 'outputDef' | 'inputPaths'>, carry: CarrySpec): CarryPlan {
  const out = program.outputDef;
  const args = program.inputDef;
  if (args.kind !== 'array') throw new Error('planCarry: a program takes an array of argument trees');
  if (out.kind !== 'record') throw new Error(`carry: the program must return a record (carried outputs are named by key); it returns ${out.kind === 'leaf' ? 'one tensor' : 'an array'}`);
  const outputFirsts = firsts(out.items.map(leafCount));
  const inputFirsts = firsts(leavesPerArgument(args));
  const taken = new Map<number, string>();
  const pairs = Object.entries(carry).map(([key, argument]): CarriedPair => {
    const k = out.keys.indexOf(key);
    if (k < 0) throw new Error(`carry: the program has no output '${key}' (its outputs: ${out.keys.join(', ')})`);
    if (typeof argument !== 'number' || !Number.isInteger(argument) || argument < 0 || argument >= args.items.length) {
      throw new Error(`carry: output '${key}' is carried to argument ${String(argument)}, but the program takes arguments 0 to ${args.items.length - 1}`);
    }
    const other = taken.get(argument);
    if (other !== undefined) throw new Error(`carry: outputs '${other}' and '${key}' are both carried to argument ${argument}`);
    taken.set(argument, key);
    const outDef = out.items[k]!;
    const argDef = args.items[argument]!;
    if (!sameStructure(outDef, argDef)) throw new Error(`carry: output '${key}' and argument ${argument} are trees of different structure (${leafCount(outDef)} and ${leafCount(argDef)} tensors)`);
    const outputs = Array.from({ length: leafCount(outDef) }, (_, j) => outputFirsts[k]! + j);
    const inputs = outputs.map((_, j) => inputFirsts[argument]! + j);
    outputs.forEach((o, j) => {
      const t = program.graph.outputs[o]!;
      const x = program.graph.inputs[inputs[j]!]!;
      if (t.axes.join(' ') !== x.axes.join(' ') || t.sizes.join(' ') !== x.sizes.join(' ')) {
        throw new Error(`carry: output '${key}' tensor ${j} has shape ${describeShape(t.axes, t.sizes)} but input ${String(x.attrs['name'])} (${program.inputPaths[inputs[j]!]}) has ${describeShape(x.axes, x.sizes)}`);
      }
    });
    return { key, argument, outputs, inputs };
  });
  const freeArguments = args.items.map((_, i) => i).filter((i) => !taken.has(i));
  return { pairs, freeArguments };
}

/** Compile and instantiate synchronously (Node; see compileWasm). */
export function compileWasmCarried<A extends readonly unknown[], R, const C extends CarrySpec<R>, P extends OutputPrecision = 'float64'>(
  program: Program<A, R>,
  options: WasmCarriedOptions<C, P>,
): WasmCarriedProgram<A, R, C, P> {
  const plan = planCarry(program, options.carry);
  return carriedProgram(program, options, plan, wasmRunner(program, options));
}

/** The same, compiling and instantiating asynchronously (any thread, any module size). */
export async function compileWasmCarriedAsync<A extends readonly unknown[], R, const C extends CarrySpec<R>, P extends OutputPrecision = 'float64'>(
  program: Program<A, R>,
  options: WasmCarriedOptions<C, P>,
): Promise<WasmCarriedProgram<A, R, C, P>> {
  const plan = planCarry(program, options.carry);
  return carriedProgram(program, options, plan, await wasmRunnerAsync(program, options));
}

/** The buffer-to-buffer copies after a call: outputs into the carried arguments' buffers, an output that is itself a carried input's buffer through a copy taken first. */
export function carryMoves(plan: CarryPlan, runner: Pick<WasmRunner, 'inputIds' | 'outputIds'>): { readonly direct: readonly Move[]; readonly staged: readonly Move[] } {
  const moves = plan.pairs.flatMap((p) => p.outputs.map((o, j) => ({ from: runner.outputIds[o]!, to: runner.inputIds[p.inputs[j]!]! }))).filter((m) => m.from !== m.to);
  const overwritten = new Set(moves.map((m) => m.to));
  return { direct: moves.filter((m) => !overwritten.has(m.from)), staged: moves.filter((m) => overwritten.has(m.from)) };
}

interface Move {
  readonly from: number;
  readonly to: number;
}

function carriedProgram<A extends readonly unknown[], R, C extends CarrySpec, P extends OutputPrecision>(
  program: Program<A, R>,
  options: WasmCarriedOptions<C, P>,
  plan: CarryPlan,
  runner: WasmRunner,
): WasmCarriedProgram<A, R, C, P> {
  const precision: OutputPrecision = options.outputs ?? 'float64';
  const out = program.outputDef as Extract<TreeDef, { kind: 'record' }>;
  const argumentDefs = (program.inputDef as Extract<TreeDef, { kind: 'array' }>).items;
  const carriedKeys = new Set(plan.pairs.map((p) => p.key));
  const carriedOutputs = new Set(plan.pairs.flatMap((p) => p.outputs));
  const { direct, staged } = carryMoves(plan, runner);
  const carriedList = plan.pairs.map((p) => `arg[${p.argument}] from output '${p.key}'`).join(', ');
  const why = `${carriedList} ${plan.pairs.length === 1 ? 'is' : 'are'} carried: set ${plan.pairs.length === 1 ? 'it' : 'them'} with setState`;
  // The outputs a call returns: the record without the carried keys.
  const returnedDef: TreeDef = { kind: 'record', keys: out.keys.filter((k) => !carriedKeys.has(k)), items: out.items.filter((_, i) => !carriedKeys.has(out.keys[i]!)) };
  const returned = program.graph.outputs.map((_, i) => i).filter((i) => !carriedOutputs.has(i));
  let hasState = false;

  const needState = (what: string) => {
    if (!hasState) throw new InputError(`${what}: the carried state (${carriedList}) has no value yet; call setState with the first values`);
  };
  const copyCarried = () => {
    const snapshots = staged.map((m) => runner.view(m.from).slice());
    for (const m of direct) runner.copy(m.from, m.to);
    staged.forEach((m, i) => runner.view(m.to).set(snapshots[i]!));
  };
  const io = (args: readonly unknown[]): CallIO<never> => ({
    write: () => {
      needState('run');
      for (const { input, leaf } of someArgumentLeaves(program.inputDef, args, plan.freeArguments, why)) writeInput(runner, program, input, leaf);
    },
    read: () => {
      copyCarried();
      const values = returned.map((o) => readBuffer(runner, runner.outputIds[o]!, program.graph.outputs[o]!, precision));
      return unflattenTree(returnedDef, values) as never;
    },
  });
  const carriedRecord = (read: (input: number) => Float32Array) => {
    const record: Record<string, unknown> = {};
    for (const p of plan.pairs) {
      const values = p.inputs.map((i) => hostValue(read(i), program.graph.inputs[i]!, precision));
      record[p.key] = unflattenTree(argumentDefs[p.argument]!, values);
    }
    return record as CarriedState<R, C, P>;
  };
  const state = () => {
    needState('state');
    return carriedRecord((i) => runner.view(runner.inputIds[i]!));
  };
  // A snapshot lays the carried inputs' buffers end to end, in plan order.
  const identity = Symbol('carried program');
  const carriedInputs = plan.pairs.flatMap((p) => p.inputs);
  const lengths = carriedInputs.map((i) => runner.view(runner.inputIds[i]!).length);
  const snapshotStarts = firsts(lengths);
  const snapshotLength = lengths.reduce((n, k) => n + k, 0);
  const ownSnapshot = (s: CarriedSnapshot, what: string) => {
    if (s?.program !== identity || !(s.data instanceof Float32Array) || s.data.length !== snapshotLength) throw new InputError(`${what}: the snapshot was not taken from this program`);
  };
  const part = (s: CarriedSnapshot, k: number) => s.data.subarray(snapshotStarts[k]!, snapshotStarts[k]! + lengths[k]!);
  const snapshot = (): CarriedSnapshot => {
    needState('snapshot');
    const data = new Float32Array(snapshotLength);
    carriedInputs.forEach((i, k) => data.set(runner.view(runner.inputIds[i]!), snapshotStarts[k]!));
    return { program: identity, data };
  };
  const restore = (s: CarriedSnapshot) => {
    ownSnapshot(s, 'restore');
    carriedInputs.forEach((i, k) => runner.view(runner.inputIds[i]!).set(part(s, k)));
    hasState = true;
  };
  const valuesOf = (s: CarriedSnapshot) => {
    ownSnapshot(s, 'valuesOf');
    const position = new Map(carriedInputs.map((i, k) => [i, k]));
    return carriedRecord((i) => part(s, position.get(i)!));
  };
  const setState = (values: CarriedInputs<A, C>) => {
    const given = values as Readonly<Record<string, unknown>>;
    if (typeof given !== 'object' || given === null) throw new InputError(`setState: expected a record with keys ${plan.pairs.map((p) => p.key).join(', ')}`);
    const wanted = plan.pairs.map((p) => p.key).sort();
    const keys = Object.keys(given).sort();
    if (keys.join('\u0000') !== wanted.join('\u0000')) throw new InputError(`setState: expected keys ${wanted.join(', ')} (the carried outputs); got ${keys.join(', ') || 'none'}`);
    // Every value is checked before any is written: a refused setState leaves the state as it was.
    const checked = plan.pairs.flatMap((p) => {
      const leaves: unknown[] = [];
      treeLeaves(argumentDefs[p.argument]!, given[p.key], p.key, leaves);
      return p.inputs.map((input, j) => ({ input, data: bindValue(program.graph.inputs[input]!, program.inputPaths[input]!, leaves[j], 'float32') }));
    });
    for (const { input, data } of checked) runner.view(runner.inputIds[input]!).set(data);
    hasState = true;
  };

  return {
    ...runner.parts,
    freeArguments: plan.freeArguments,
    run: (...args) => runner.call(io(args as readonly unknown[])),
    runSync: (...args) => runner.callSync(io(args as readonly unknown[])),
    state,
    setState,
    snapshot,
    restore,
    valuesOf,
    lastRun: runner.lastRun,
    kernelTimes: runner.kernelTimes,
    destroy: runner.destroy,
  };
}
