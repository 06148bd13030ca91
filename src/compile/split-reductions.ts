/**
 * splitReductions: Graph -> Graph. A reduction over more than `limit`
 * elements per output cell becomes two: a partial reduction over chunks of
 * its longest reduced axis (the axis split in place by a free reshape), then
 * a reduction over the chunks. GL drivers stop loops after 65535 iterations,
 * so the GL backends need this; the partial results are also more cells to
 * share among threads, and on the CPU a chunk of a long contraction's operands
 * stays in cache. The chunks come first in a partial contraction's output, so
 * its last axis stays the one the renderers vectorise.
 */
import { Tensor } from '../ir/tensor.js';
import { graphWithNodes, type Graph } from '../ir/graph.js';
import { reshape } from '../ops/layout.js';
import { sumOp, type ReduceAttrs } from '../ops/reduce.js';
import { opDef } from '../ops/registry.js';
import { opRule } from './op-rules.js';
import { einsumOp } from '../ops/einsum.js';
import { apply, type OpDef } from '../ops/define.js';
import { numelOf } from '../runtime/ndarray.js';

/** The smallest number of chunks f dividing n with total / f <= limit, if any. */
function chunks(n: number, total: number, limit: number): number | undefined {
  for (let f = Math.max(2, Math.ceil(total / limit)); f < n; f++) if (n % f === 0 && total / f <= limit) return f;
  for (let f = Math.max(2, Math.ceil(total / limit)); f < n; f++) if (n % f === 0) return f; // the best available: split again later
  return undefined;
}

/** x with axis a split in place into [a#o, a#i] of sizes f and n / f. */
function splitAxis(x: Tensor, a: string, f: number): Tensor {
  const d = x.axes.indexOf(a);
  const n = x.sizes[d]!;
  return reshape(x, [...x.axes.slice(0, d), `${a}#o`, `${a}#i`, ...x.axes.slice(d + 1)], [...x.sizes.slice(0, d), f, n / f, ...x.sizes.slice(d + 1)]);
}

function splitOne(node: Tensor, inputs: readonly Tensor[], limit: number): Tensor | undefined {
  const splits = opRule(node.op).splits;
  if (splits === 'fold') {
    const x = inputs[0]!;
    const reduced = node.attrs['axes'] as readonly string[];
    const sizes = reduced.map((a) => x.sizes[x.axes.indexOf(a)]!);
    const total = numelOf(sizes);
    if (total <= limit) return undefined;
    const a = reduced[sizes.indexOf(Math.max(...sizes))]!;
    const f = chunks(x.sizes[x.axes.indexOf(a)]!, total, limit);
    if (f === undefined) return undefined;
    const op = opDef(node.op) as OpDef<ReduceAttrs>;
    const partial = apply(op, [splitAxis(x, a, f)], { axes: [...reduced.filter((r) => r !== a), `${a}#i`] });
    return apply(op, [partial], { axes: [`${a}#o`] });
  }
  if (splits === 'contraction') {
    const terms = node.attrs['inputs'] as readonly (readonly string[])[];
    const output = node.attrs['output'] as readonly string[];
    const contracted = [...new Set(terms.flat())].filter((l) => !output.includes(l));
    const sizeOf = (l: string) => {
      const t = inputs.find((x) => x.axes.includes(l))!;
      return t.sizes[t.axes.indexOf(l)]!;
    };
    const total = numelOf(contracted.map(sizeOf));
    if (total <= limit) return undefined;
    const l = contracted.reduce((best, c) => (sizeOf(c) > sizeOf(best) ? c : best), contracted[0]!);
    const f = chunks(sizeOf(l), total, limit);
    if (f === undefined) return undefined;
    const newInputs = inputs.map((x) => (x.axes.includes(l) ? splitAxis(x, l, f) : x));
    const newTerms = newInputs.map((x) => x.axes);
    const partial = apply(einsumOp, newInputs, { inputs: newTerms, output: [`${l}#o`, ...output] });
    return apply(sumOp, [partial], { axes: [`${l}#o`] });
  }
  return undefined;
}

function splitPass(graph: Graph, limit: number): { graph: Graph; changed: boolean } {
  const replaced = new Map<Tensor, Tensor>();
  const get = (t: Tensor) => replaced.get(t) ?? t;
  const formal = new Set(graph.inputs);
  let changed = false;
  for (const node of graph.nodes) {
    if (formal.has(node)) continue;
    const inputs = node.inputs.map(get);
    let out = splitOne(node, inputs, limit);
    if (out !== undefined) changed = true;
    else if (inputs.some((x, i) => x !== node.inputs[i])) out = new Tensor(node.op, node.attrs, inputs, node.axes, node.sizes);
    if (out !== undefined) replaced.set(node, out);
  }
  return { graph: graphWithNodes(graph.inputs, graph.outputs.map(get), graph.nodes.map(get)), changed };
}

/**
 * Elements one native WebAssembly reduction may read per output before it is split: the weight
 * gradients of the xcit step (3,136 rows) then read 392-row chunks that stay in L2. Measured
 * against 256, 1,024 and no split on the xcit and main-job steps (docs/performance.md).
 */
export const WASM_SPLIT_LIMIT = 512;

/** Elements one GL reduction cell may read before it is split (rendered 4 per iteration, so well inside GL's loop limit). */
export const GL_SPLIT_LIMIT = 16384;

/** Split until every reduction reads at most `limit` elements per output cell (or cannot be split further). */
export function splitReductions(graph: Graph, limit: number): Graph {
  let g = graph;
  for (let round = 0; round < 8; round++) {
    const next = splitPass(g, limit);
    g = next.graph;
    if (!next.changed) break;
  }
  return g;
}
