/**
 * A golden file's forward pass as a program over the file's inputs: the component builds its
 * outputs from constants (the file's tensors); the constants named after the file's `inputs`
 * become the formal inputs, everything else (parameters, R) stays constant. This is what ONNX
 * export needs to check a layer against its golden file in another runtime.
 */
import type { Graph } from '../../ir/graph.js';
import { graphOf, topoSort } from '../../ir/graph.js';
import { isTensor, type Tensor } from '../../ir/tensor.js';
import type { NDArray } from '../../runtime/ndarray.js';
import type { GoldenFile } from '../../io/golden.js';
import type { Component } from './component.js';

export interface ForwardProgram {
  readonly graph: Graph;
  /** The golden input each formal input holds ('x', 'call0/teacher_output'). */
  readonly inputPaths: readonly string[];
  readonly inputs: readonly NDArray[];
  /** The golden output key of each graph output. */
  readonly outputKeys: readonly string[];
}

/** undefined when the component computes its outputs on the host or from no input (schedulers, k-means, Sinkhorn's loop). */
export function forwardProgram(component: Component, file: GoldenFile): ForwardProgram | undefined {
  const result = component.evaluate(file, 'reference');
  const outputs = Object.entries(result.outputs).filter((e): e is [string, Tensor] => isTensor(e[1]));
  const names = new Set(Object.keys(file.inputs));
  const inputs = topoSort(outputs.map(([, t]) => t)).filter((n) => n.op === 'constant' && names.has((n.attrs as { name?: string }).name ?? ''));
  if (outputs.length === 0 || inputs.length === 0) return undefined;
  const attrsOf = (n: Tensor) => n.attrs as unknown as { name: string; data: Float64Array };
  return {
    graph: graphOf(inputs, outputs.map(([, t]) => t)),
    inputPaths: inputs.map((n) => attrsOf(n).name),
    inputs: inputs.map((n) => ({ axes: [...n.axes], sizes: [...n.sizes], data: attrsOf(n).data })),
    outputKeys: outputs.map(([k]) => k),
  };
}
