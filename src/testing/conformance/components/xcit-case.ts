/**
 * Shared plumbing of the XCiT components: golden parameters loaded into a
 * tree shaped like the layer's own init (so names, axes and sizes are checked
 * against the official state_dict), and the differentiable leaves picked by
 * the file's gradient keys.
 */
import type { Tensor } from '../../../ir/tensor.js';
import { isTensor } from '../../../ir/tensor.js';
import { flattenTree } from '../../../ir/tree.js';
import { getPath, hasPath, parameterPaths, setPath } from '../../../nn/params.js';
import type { GoldenFile } from '../../../io/golden.js';
import { configNumber } from '../component.js';
import { goldenTensor } from '../layer-case.js';

/**
 * The file's params as a tree like `template` (a layer's init at the file's
 * sizes): every leaf is read from params['<prefix><path>'] with the template's
 * axes, and its shape must equal the template's. Golden params under the
 * prefix that the template lacks are an error too (a naming mismatch).
 */
export function goldenParams<P>(file: GoldenFile, template: P, prefix = ''): P {
  const paths = parameterPaths(template);
  const leaves = flattenTree(template, isTensor).leaves;
  let tree = template;
  paths.forEach((path, i) => {
    const like = leaves[i]!;
    const name = `${prefix}${path}`;
    const t = goldenTensor(file, 'params', name, [...like.axes]);
    if (t.sizes.some((n, k) => n !== like.sizes[k])) {
      throw new Error(`params.${name}: shape [${t.sizes.join(', ')}] but the layer expects [${like.sizes.join(', ')}] (axes ${like.axes.join(', ')})`);
    }
    tree = setPath(tree, path, t);
  });
  const unused = Object.keys(file.params).filter((k) => k.startsWith(prefix) && !paths.includes(k.slice(prefix.length)));
  if (unused.length > 0) throw new Error(`params ${unused.join(', ')}: not parameters of the layer (it has ${paths.join(', ')})`);
  return tree;
}

/** The tensors (inputs by name, params by dotted path) whose gradients the file stores under `prefix`. */
export function gradTargets(file: GoldenFile, prefix: string, inputs: Readonly<Record<string, Tensor>>, params: unknown): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const key of Object.keys(file.grads)) {
    if (!key.startsWith(prefix)) continue;
    const name = key.slice(prefix.length);
    if (name.includes('/')) continue;
    const input = inputs[name];
    if (input !== undefined) out[name] = input;
    else if (hasPath(params, name)) out[name] = getPath(params, name) as Tensor;
    else throw new Error(`grads.${key}: neither an input nor a parameter of the layer`);
  }
  return out;
}

/** params with the leaves named in vars (dotted paths) replaced; names that are not paths are ignored. */
export function withVars<P>(params: P, vars: Readonly<Record<string, Tensor>>): P {
  return Object.entries(vars).reduce<P>((t, [k, v]) => (hasPath(t, k) ? setPath(t, k, v) : t), params);
}

/** A positive integer from the config. */
export function configInt(file: GoldenFile, name: string): number {
  const v = configNumber(file, name);
  if (!Number.isInteger(v) || v < 1) throw new Error(`config.${name}: expected a positive integer, got ${v}`);
  return v;
}

/** The size of dimension i of a golden tensor. */
export function dimOf(file: GoldenFile, section: 'inputs' | 'params', name: string, i: number): number {
  const t = file[section][name];
  const n = t?.shape[i];
  if (n === undefined) throw new Error(`${section}.${name}: no dimension ${i}`);
  return n;
}
