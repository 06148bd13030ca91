/**
 * Trainer states whose tensors live in a compiled module between steps
 * (compileWasmCarried), with the meaning of plain values kept: a step is still
 * a pure function of the state it is given.
 *
 * The module holds one state's tensors at a time, the one its last step made.
 * That state's tensor fields are read from the module when asked for. Before
 * the next step overwrites them, the module's values are kept in a float32
 * snapshot (one copy out of its memory, a small share of what passing the state
 * in and out costs: no conversion, no check), so an earlier state stays readable
 * and can be stepped again. A state of plain values (the first one, a restored
 * checkpoint) is written into the module, checked, when it is stepped.
 */
import type { CarriedSnapshot } from '../compile/wasm/carry.js';

/** What a residency needs of a carried program. */
export interface CarriedModule<V> {
  state(): V;
  setState(values: V): void;
  snapshot(): CarriedSnapshot;
  restore(snapshot: CarriedSnapshot): void;
  valuesOf(snapshot: CarriedSnapshot): V;
}

/** Where one resident state's tensors are: in the module (its last step's), in a snapshot, or read out already. */
interface Cell<V> {
  snapshot?: CarriedSnapshot;
  values?: V;
}

const CELL = Symbol('resident state');

/** States of one carried module, stepped one call at a time. */
export interface Residency<V extends object> {
  /**
   * One call with `state`'s tensors in the module: `call` runs the module on the rest of the
   * step's inputs. Returns what the call returned and a state whose tensors are those the
   * module then holds, with `rest`'s fields besides. Calls wait for the one in flight.
   */
  step<T, X extends object>(state: V, call: () => Promise<T>, rest: X): Promise<{ readonly result: T; readonly state: V & X }>;
}

/** A residency over a module whose carried values have the keys `keys` (the state's tensor fields). */
export function residency<V extends object>(module: CarriedModule<V>, keys: readonly (keyof V & string)[]): Residency<V> {
  let current: Cell<V> | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  const valuesOf = (cell: Cell<V>): V => {
    cell.values ??= cell === current ? module.state() : module.valuesOf(cell.snapshot!);
    return cell.values;
  };
  const ownCell = (state: V): Cell<V> | undefined => {
    const cell = (state as { [CELL]?: { owner: unknown; cell: Cell<V> } })[CELL];
    return cell?.owner === module ? cell.cell : undefined;
  };
  // The module's tensors are about to change: the state they belong to keeps them.
  const keepCurrent = () => {
    if (current !== undefined && current.values === undefined && current.snapshot === undefined) current.snapshot = module.snapshot();
  };
  const enter = (state: V) => {
    const cell = ownCell(state);
    keepCurrent();
    if (cell !== undefined && cell === current) return;
    if (cell?.snapshot !== undefined) module.restore(cell.snapshot);
    else module.setState(Object.fromEntries(keys.map((k) => [k, state[k]])) as V);
  };
  const resident = <X extends object>(cell: Cell<V>, rest: X): V & X => {
    const state = { ...rest } as V & X;
    for (const k of keys) Object.defineProperty(state, k, { enumerable: true, get: () => valuesOf(cell)[k] });
    Object.defineProperty(state, CELL, { value: { owner: module, cell } });
    return state;
  };

  return {
    step(state, call, rest) {
      const run = queue.then(async () => {
        enter(state);
        current = undefined;
        const result = await call();
        const cell: Cell<V> = {};
        current = cell;
        return { result, state: resident(cell, rest) };
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
