/**
 * The ONNX messages (onnx/onnx.proto, IR version 8) that an exported model
 * uses, with their field numbers: ModelProto, GraphProto, NodeProto,
 * AttributeProto, TensorProto, ValueInfoProto.
 */
import { bytes, concat, float32, int, message, packedInts, string, type Field } from './protobuf.js';

export const ONNX_IR_VERSION = 8;
export const ONNX_OPSET = 17;

/** TensorProto.DataType */
export const DataType = { FLOAT: 1, INT64: 7, DOUBLE: 11 } as const;
export type ElemType = (typeof DataType)[keyof typeof DataType];

export type AttrValue = { readonly int: number } | { readonly float: number } | { readonly ints: readonly number[] } | { readonly string: string };

export interface OnnxNode {
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly name: string;
  readonly attrs?: Readonly<Record<string, AttrValue>>;
}

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dataType: ElemType;
  /** Little-endian element bytes. */
  readonly raw: Uint8Array;
}

export interface OnnxValueInfo {
  readonly name: string;
  readonly elemType: ElemType;
  readonly dims: readonly number[];
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

function attribute(name: string, v: AttrValue): Field[] {
  // AttributeProto: name 1, f 2, i 3, s 4, ints 8, type 20 (FLOAT 1, INT 2, STRING 3, INTS 7)
  if ('int' in v) return [string(1, name), int(3, v.int), int(20, 2)];
  if ('float' in v) return [string(1, name), float32(2, v.float), int(20, 1)];
  if ('string' in v) return [string(1, name), string(4, v.string), int(20, 3)];
  return [string(1, name), ...v.ints.map((n) => int(8, n)), int(20, 7)];
}

function node(n: OnnxNode): Field[] {
  // NodeProto: input 1, output 2, name 3, op_type 4, attribute 5
  return [...n.inputs.map((s) => string(1, s)), ...n.outputs.map((s) => string(2, s)), string(3, n.name), string(4, n.opType), ...Object.entries(n.attrs ?? {}).map(([k, v]) => message(5, attribute(k, v)))];
}

function tensor(t: OnnxTensor): Field[] {
  // TensorProto: dims 1, data_type 2, name 8, raw_data 9
  return [packedInts(1, t.dims), int(2, t.dataType), string(8, t.name), bytes(9, t.raw)];
}

function valueInfo(v: OnnxValueInfo): Field[] {
  // ValueInfoProto: name 1, type 2; TypeProto.tensor_type 1; Tensor: elem_type 1, shape 2; Shape.dim 1; Dimension.dim_value 1
  const shape = v.dims.map((d) => message(1, [int(1, d)]));
  return [string(1, v.name), message(2, [message(1, [int(1, v.elemType), message(2, shape)])])];
}

/** The bytes of a ModelProto holding the graph. */
export function encodeModel(g: OnnxGraph, producer = { name: 'shapegrad', version: '0.1.0' }): Uint8Array {
  const graph = [
    ...g.nodes.map((n) => message(1, node(n))),
    string(2, g.name),
    ...g.initializers.map((t) => message(5, tensor(t))),
    ...g.inputs.map((v) => message(11, valueInfo(v))),
    ...g.outputs.map((v) => message(12, valueInfo(v))),
  ];
  // ModelProto: ir_version 1, producer_name 2, producer_version 3, graph 7, opset_import 8 (domain 1, version 2)
  return concat([int(1, ONNX_IR_VERSION), string(2, producer.name), string(3, producer.version), message(7, graph), message(8, [string(1, ''), int(2, ONNX_OPSET)])]);
}
