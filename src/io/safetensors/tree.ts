/**
 * Parameter trees to and from safetensors bytes. A tree's tensors are named by
 * their dotted paths, which for shapegrad's models are the official PyTorch
 * state_dict names ('blocks.0.attn.weight'), so a file written here loads with
 * `model.load_state_dict(load_file(path), strict=True)` and a state_dict saved
 * with `safetensors.torch.save_file` loads here.
 */
import { isTensor, type Tensor } from '../../ir/tensor.js';
import { flattenTree, unflattenTree } from '../../ir/tree.js';
import { describeShape } from '../../shape/errors.js';
import type { NDArray } from '../../runtime/ndarray.js';
import { evaluate } from '../../ops/interpret.js';
import { isNDArray, stateDictName, treeValues } from '../tree-values.js';
import type { FloatDtype } from './dtypes.js';
import { decodeSafetensors, encodeSafetensors, SafetensorsError } from './format.js';

/** How a parameter tree is saved to safetensors (metadata, dtype). */
export interface SaveSafetensorsOptions {
  /** Element type on disk: F32 (default, what PyTorch checkpoints use), F64 (lossless), F16 or BF16. */
  readonly dtype?: FloatDtype;
  /** String key/values stored as __metadata__ (e.g. { format: 'pt', model: 'resmlp-tiny' }). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** How a parameter tree is loaded from safetensors: strictly (every tensor of the file used) or not. */
export interface LoadSafetensorsOptions {
  /** true (default): any missing, extra or mis-shaped tensor is an error. false: report it and keep `like`'s value. */
  readonly strict?: boolean;
}

/** A file read without a model: tensors by name; axes are named dim0, dim1, ... */
export interface SafetensorsTensors {
  readonly tensors: Readonly<Record<string, NDArray>>;
  readonly dtypes: Readonly<Record<string, FloatDtype>>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** A file read against a model's tree. */
export interface LoadedParams<T> {
  /** Shaped like `like`, NDArray leaves with `like`'s axis names. */
  readonly params: T;
  readonly metadata: Readonly<Record<string, string>>;
  /** One line per missing, extra or mis-shaped tensor (always empty when strict). */
  readonly problems: readonly string[];
}

type Shaped = Tensor | NDArray;
const isShaped = (x: unknown): x is Shaped => isTensor(x) || isNDArray(x);

function namedLeaves(tree: unknown): { names: string[]; leaves: Shaped[]; def: ReturnType<typeof flattenTree>['def'] } {
  const flat = flattenTree(tree, isShaped);
  const names = flat.paths.map(stateDictName);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new SafetensorsError(`two tensors of the tree are both named ${n} (a key contains '.'?)`, n);
    seen.add(n);
  }
  return { names, leaves: flat.leaves, def: flat.def };
}

/** The safetensors bytes of a parameter tree (Tensor leaves are evaluated first). */
export function saveSafetensors(tree: unknown, options: SaveSafetensorsOptions = {}): Uint8Array {
  const { names, leaves } = namedLeaves(treeValues(tree));
  const tensors = leaves.map((leaf, i) => ({ name: names[i]!, shape: leaf.sizes, data: (leaf as NDArray).data }));
  return encodeSafetensors(tensors, options.dtype ?? 'F32', options.metadata ?? {});
}

const showFile = (shape: readonly number[]) => `[${shape.join(', ')}]`;

function list(lines: readonly string[], max = 5): string {
  return lines.slice(0, max).join('; ') + (lines.length > max ? `; and ${lines.length - max} more` : '');
}

/** Read a file's tensors by name. */
export function loadSafetensors(bytes: Uint8Array): SafetensorsTensors;
/** Read a file into a tree shaped like `like` (leaves: Tensors or NDArrays, used for their axes and sizes). */
export function loadSafetensors<T>(bytes: Uint8Array, like: T, options?: LoadSafetensorsOptions): LoadedParams<T>;
export function loadSafetensors<T>(bytes: Uint8Array, like?: T, options: LoadSafetensorsOptions = {}): SafetensorsTensors | LoadedParams<T> {
  const file = decodeSafetensors(bytes);
  if (like === undefined) {
    const tensors: Record<string, NDArray> = {};
    const dtypes: Record<string, FloatDtype> = {};
    for (const t of file.tensors) {
      tensors[t.name] = { axes: t.shape.map((_, i) => `dim${i}`), sizes: [...t.shape], data: t.data };
      dtypes[t.name] = t.dtype;
    }
    return { tensors, dtypes, metadata: file.metadata };
  }
  const strict = options.strict ?? true;
  const byName = new Map(file.tensors.map((t) => [t.name, t]));
  const { names, leaves, def } = namedLeaves(like);
  const problems: string[] = [];
  const fallback: number[] = [];
  const values: Array<NDArray | undefined> = leaves.map((leaf, i) => {
    const name = names[i]!;
    const t = byName.get(name);
    if (t === undefined) {
      problems.push(`missing tensor ${name} (the model expects ${describeShape(leaf.axes, leaf.sizes)})`);
    } else if (t.shape.length !== leaf.sizes.length || t.shape.some((d, k) => d !== leaf.sizes[k])) {
      problems.push(`tensor ${name} has shape ${showFile(t.shape)} in the file, the model expects ${describeShape(leaf.axes, leaf.sizes)}`);
    } else {
      return { axes: [...leaf.axes], sizes: [...leaf.sizes], data: t.data };
    }
    fallback.push(i);
    return undefined;
  });
  const wanted = new Set(names);
  for (const t of file.tensors) if (!wanted.has(t.name)) problems.push(`tensor ${t.name} ${showFile(t.shape)} in the file has no place in the model`);
  if (strict && problems.length > 0) throw new SafetensorsError(`the file does not fit the model: ${list(problems)}`, problems[0]!.match(/tensor (\S+)/)?.[1]);
  const symbolic = fallback.map((i) => leaves[i]!).filter(isTensor);
  const evaluated = symbolic.length === 0 ? [] : (evaluate(symbolic) as NDArray[]);
  let next = 0;
  const filled = values.map((v, i) => v ?? (isTensor(leaves[i]) ? evaluated[next++]! : (leaves[i] as NDArray)));
  return { params: unflattenTree<T>(def, filled), metadata: file.metadata, problems };
}
