/**
 * ONNX export of inference programs: a traced program (trace(fn, spec...))
 * becomes an ONNX model (opset 17) whose inputs are the program's formal
 * inputs and whose outputs are its outputs. Every node that does not depend on
 * a formal input (parameters, their initialisers, constants) is computed here
 * with the float64 reference and stored as an initializer; the rest map one
 * IR op to one or a few ONNX ops:
 *
 *   einsum -> Einsum (axis names become letters)      add sub mul div pow maximum minimum -> Add ... Min
 *   neg exp log sqrt reciprocal abs sign floor sin cos tanh erf -> the unary op of that name
 *   broadcast -> Transpose? + Reshape + Expand        reshape -> Reshape      transpose -> Transpose
 *   slice -> Slice     pad (no interior) -> Pad      concat -> Concat
 *   sum -> ReduceSum   max -> ReduceMax
 *   identity, stopGradient -> Identity
 *
 * Anything else that depends on an input is an {@link OnnxExportError} naming
 * the op and the node. Softmax, LayerNorm, GELU and convolutions reach the IR
 * as these primitives, so they export as their decomposition.
 */
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../ir/tensor.js';
import { graphOf } from '../../ir/graph.js';
import type { Program } from '../../ir/trace.js';
import { interpret } from '../../ops/interpret.js';
import { encodeFloats } from '../safetensors/dtypes.js';
import { DataType, encodeModel, type OnnxNode, type OnnxTensor, type ElemType } from './proto.js';

/** A program that cannot be exported to ONNX: an op with no ONNX counterpart (the message names the op and the node). */
export class OnnxExportError extends Error {
  constructor(message: string, readonly op?: string) {
    super(message);
    this.name = 'OnnxExportError';
  }
}

/** Options of the ONNX export: the dtype, input and output names. */
export interface ExportOnnxOptions {
  /** Element type of the model: 'float32' (default; what runtimes implement every op for) or 'float64'. */
  readonly dtype?: 'float32' | 'float64';
  /** Names of the graph's inputs and outputs (default: the program's input paths, output0, output1, ...). */
  readonly inputNames?: readonly string[];
  readonly outputNames?: readonly string[];
}

const unary: Readonly<Record<string, string>> = { neg: 'Neg', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', reciprocal: 'Reciprocal', abs: 'Abs', sign: 'Sign', floor: 'Floor', sin: 'Sin', cos: 'Cos', tanh: 'Tanh', erf: 'Erf', softplus: 'Softplus', identity: 'Identity', stopGradient: 'Identity' };
const binary: Readonly<Record<string, string>> = { add: 'Add', sub: 'Sub', mul: 'Mul', div: 'Div', pow: 'Pow', maximum: 'Max', minimum: 'Min' };

const int64Bytes = (ns: readonly number[]) => {
  const b = new Uint8Array(8 * ns.length);
  const v = new DataView(b.buffer);
  ns.forEach((n, i) => v.setBigInt64(8 * i, BigInt(n), true));
  return b;
};

/** The nodes that depend on a formal input. */
function dependsOnInput(g: Graph): Set<Tensor> {
  const live = new Set<Tensor>(g.inputs);
  for (const n of g.nodes) if (n.op === 'input' || n.inputs.some((x) => live.has(x))) live.add(n);
  return live;
}

export function onnxGraphOf(g: Graph, options: ExportOnnxOptions = {}) {
  const elem: ElemType = options.dtype === 'float64' ? DataType.DOUBLE : DataType.FLOAT;
  const live = dependsOnInput(g);
  const names = new Map<Tensor, string>();
  const nodes: OnnxNode[] = [];
  const initializers: OnnxTensor[] = [];
  let counter = 0;
  const fresh = (base: string) => `${base}_${counter++}`;
  const intConst = (ns: readonly number[]) => {
    const name = fresh('const');
    initializers.push({ name, dims: [ns.length], dataType: DataType.INT64, raw: int64Bytes(ns) });
    return name;
  };
  const floatConst = (v: number) => {
    const name = fresh('const');
    initializers.push({ name, dims: [], dataType: elem, raw: encodeFloats([v], elem === DataType.DOUBLE ? 'F64' : 'F32') });
    return name;
  };
  const emit = (opType: string, inputs: string[], attrs?: OnnxNode['attrs'], output?: string) => {
    const out = output ?? fresh(opType.toLowerCase());
    nodes.push({ opType, inputs, outputs: [out], name: fresh(`n_${opType}`), ...(attrs ? { attrs } : {}) });
    return out;
  };
  // Inputs, named.
  g.inputs.forEach((x, i) => names.set(x, options.inputNames?.[i] ?? `input${i}`));
  // Constants: every node used by a live node but not live itself. A broadcast of a constant is
  // stored at its own size and expanded in the graph: folded, the copies would multiply the file by
  // the batch and the spatial extent (a depthwise weight broadcast over [B, C, H, W]). A fill is
  // one value expanded.
  const used = [...new Set(g.nodes.filter((n) => live.has(n)).flatMap((n) => n.inputs.filter((x) => !live.has(x))))];
  const expanded = new Set<Tensor>();
  const stored = new Set<Tensor>();
  for (let c of used) {
    while ((c.op === 'broadcast' || c.op === 'fill') && !g.outputs.includes(c)) {
      expanded.add(c);
      if (c.op === 'fill') break;
      c = c.inputs[0]!;
    }
    if (c.op !== 'fill' || !expanded.has(c)) stored.add(c);
  }
  const constants = [...stored];
  const outputConstants = g.outputs.filter((o) => !live.has(o) && !stored.has(o));
  const folded = [...constants, ...outputConstants];
  if (folded.length > 0) {
    const values = interpret(graphOf([], folded), []);
    folded.forEach((c, i) => {
      const name = fresh('param');
      names.set(c, name);
      initializers.push({ name, dims: [...c.sizes], dataType: elem, raw: encodeFloats(values[i]!.data, elem === DataType.DOUBLE ? 'F64' : 'F32') });
    });
  }
  const nameOf = (x: Tensor) => names.get(x)!;
  const broadcast = (n: Tensor, x: string) => {
    const x0 = n.inputs[0]!;
    const order = [...x0.axes].sort((p, q) => n.axes.indexOf(p) - n.axes.indexOf(q));
    let y = x;
    if (order.some((ax, i) => ax !== x0.axes[i])) y = emit('Transpose', [y], { perm: { ints: order.map((ax) => x0.axes.indexOf(ax)) } });
    y = emit('Reshape', [y, intConst(n.axes.map((ax, i) => (x0.axes.includes(ax) ? n.sizes[i]! : 1)))]);
    return emit('Expand', [y, intConst(n.sizes)]);
  };
  // g.nodes is topological, so a chain of broadcasts is expanded from its stored end outwards.
  for (const n of g.nodes) {
    if (!expanded.has(n)) continue;
    names.set(n, n.op === 'fill' ? emit('Expand', [floatConst((n.attrs as { value: number }).value), intConst(n.sizes)]) : broadcast(n, nameOf(n.inputs[0]!)));
  }
  g.nodes.forEach((n, index) => {
    if (!live.has(n) || names.has(n)) return;
    const xs = n.inputs.map(nameOf);
    const x0 = n.inputs[0];
    const a = n.attrs as Record<string, unknown>;
    let out: string;
    if (n.op in unary) out = emit(unary[n.op]!, xs);
    else if (n.op in binary) out = emit(binary[n.op]!, xs);
    else if (n.op === 'reshape') out = emit('Reshape', [xs[0]!, intConst(n.sizes)]);
    else if (n.op === 'transpose') out = emit('Transpose', xs, { perm: { ints: n.axes.map((ax) => x0!.axes.indexOf(ax)) } });
    else if (n.op === 'slice') {
      const d = x0!.axes.indexOf(a['axis'] as string);
      out = emit('Slice', [xs[0]!, intConst([a['start'] as number]), intConst([a['stop'] as number]), intConst([d]), intConst([a['step'] as number])]);
    } else if (n.op === 'pad' && a['interior'] === 0) {
      const d = x0!.axes.indexOf(a['axis'] as string);
      const pads = [...x0!.axes.map((_, i) => (i === d ? (a['lo'] as number) : 0)), ...x0!.axes.map((_, i) => (i === d ? (a['hi'] as number) : 0))];
      out = emit('Pad', [xs[0]!, intConst(pads), floatConst(a['value'] as number)], { mode: { string: 'constant' } });
    } else if (n.op === 'concat') {
      out = emit('Concat', xs, { axis: { int: x0!.axes.indexOf(a['axis'] as string) } });
    } else if (n.op === 'sum' || n.op === 'max') {
      const axes = (a['axes'] as string[]).map((ax) => x0!.axes.indexOf(ax));
      out = n.op === 'sum' ? emit('ReduceSum', [xs[0]!, intConst(axes)], { keepdims: { int: 0 } }) : emit('ReduceMax', xs, { axes: { ints: axes }, keepdims: { int: 0 } });
    } else if (n.op === 'broadcast') {
      out = broadcast(n, xs[0]!);
    } else if (n.op === 'einsum') {
      const labels = new Map<string, string>();
      const letter = (ax: string) => {
        if (!labels.has(ax)) labels.set(ax, 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'[labels.size]!);
        return labels.get(ax)!;
      };
      const terms = (a['inputs'] as string[][]).map((t) => t.map(letter).join(''));
      out = emit('Einsum', xs, { equation: { string: `${terms.join(',')}->${(a['output'] as string[]).map(letter).join('')}` } });
    } else {
      throw new OnnxExportError(`exportOnnx: op '${n.op}' (node ${index}, ${n.toString()}) has no ONNX counterpart here`, n.op);
    }
    names.set(n, out);
  });
  const outputNames = g.outputs.map((o, i) => {
    const want = options.outputNames?.[i] ?? `output${i}`;
    emit('Identity', [nameOf(o)], undefined, want);
    return { name: want, elemType: elem, dims: [...o.sizes] };
  });
  return {
    name: 'shapegrad',
    nodes,
    initializers,
    inputs: g.inputs.map((x) => ({ name: nameOf(x), elemType: elem, dims: [...x.sizes] })),
    outputs: outputNames,
  };
}

/** The ONNX model bytes of a traced inference program (see the module comment for the op table). */
export function exportOnnx(program: Pick<Program, 'graph' | 'inputPaths'>, options: ExportOnnxOptions = {}): Uint8Array {
  const inputNames = options.inputNames ?? program.inputPaths.map((p) => p.replace(/^arg\[?\d*\]?\.?/, '').replace(/[^A-Za-z0-9_]/g, '_') || 'input');
  const unique = new Set(inputNames).size === inputNames.length ? inputNames : inputNames.map((n, i) => `${n}_${i}`);
  return encodeModel(onnxGraphOf(program.graph, { ...options, inputNames: unique }));
}
