/**
 * Collapse and NaN diagnostics for self-supervised training, the checks users
 * of DINO, SwAV, PAWS and DeepCluster ask for:
 *
 * - the teacher's output entropy (mean over rows) against log K, and the
 *   information the output carries about the input, H(mean row) - mean H(row):
 *   ≈ 0 when every row is the same distribution (collapse to one dimension
 *   or to the uniform distribution);
 * - the standard deviation of L2-normalised embeddings, per dimension and
 *   averaged: ≈ 0 when collapsed, ≈ 1/√d for healthy, spread-out embeddings;
 * - the occupancy of clusters or prototypes (counts, empty ones, the largest);
 * - the first graph node that produced NaN or ±Infinity.
 *
 * Values are computed in float64 on the reference interpreter. Each finding
 * reads as one line ('collapsed: teacher entropy 0.01 of log K = 4.16 …').
 */
import type { Tensor } from '../ir/tensor.js';
import { isTensor } from '../ir/tensor.js';
import type { Graph } from '../ir/graph.js';
import { flattenTree } from '../ir/tree.js';
import { evaluate, interpret, NonFiniteError, type InputValue } from '../ops/interpret.js';
import type { NDArray } from '../runtime/ndarray.js';
import { numelOf, stridesOf } from '../runtime/ndarray.js';

/** A value to inspect: computed values, or a tensor (evaluated on the reference interpreter). */
export type Inspectable = NDArray | Tensor;

function valuesOf(x: Inspectable): NDArray {
  return isTensor(x) ? evaluate(x) : x;
}

/** Rows × classes view of a value along `axis` (default: the last axis): data[r, c] at offset(r) + c·stride. */
function rowsAlong(x: NDArray, axis: string | undefined, what: string): { rows: number; k: number; at: (r: number, c: number) => number } {
  if (x.axes.length === 0) throw new RangeError(`${what}: needs at least one axis`);
  const d = axis === undefined ? x.axes.length - 1 : x.axes.indexOf(axis);
  if (d < 0) throw new RangeError(`${what}: no axis ${axis} in [${x.axes.join(', ')}]`);
  const k = x.sizes[d]!;
  const strides = stridesOf(x.sizes);
  const stride = strides[d]!;
  const rows = k === 0 ? 0 : x.data.length / k;
  // Offsets of the rows: every multi-index with the class axis at 0, in row-major order.
  const outer = numelOf(x.sizes.slice(0, d));
  const offsets = new Int32Array(rows);
  let r = 0;
  for (let o = 0; o < outer; o++) for (let i = 0; i < stride; i++) offsets[r++] = o * k * stride + i;
  return { rows, k, at: (row, c) => x.data[offsets[row]! + c * stride]! };
}

const entropyOf = (p: ArrayLike<number>): number => {
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i]!;
    if (v > 0) h -= v * Math.log(v);
  }
  return h;
};

/* ------------------------------------------------------------------------ */
/* Teacher entropy                                                           */
/* ------------------------------------------------------------------------ */

/** Options of the entropy report. */
export interface EntropyOptions {
  /** The class (prototype) axis; default the last axis. */
  readonly axis?: string;
  /** The value holds logits: apply softmax(x / temperature) first. */
  readonly logits?: boolean;
  readonly temperature?: number;
}

/** The entropy of output distributions (mean per row, and of the mean). */
export interface EntropyReport {
  readonly rows: number;
  readonly k: number;
  /** Mean over rows of the entropy of each row (nats). */
  readonly meanEntropy: number;
  /** Entropy of the mean row (nats). */
  readonly marginalEntropy: number;
  /** marginalEntropy - meanEntropy: the information the output carries about its input (≈ 0 when all rows agree). */
  readonly information: number;
  readonly logK: number;
  /** The dimension the mean row favours, and its mass there. */
  readonly dominant: number;
  readonly dominantMass: number;
}

/** Entropy statistics of a teacher's output distributions (rows along `axis`). */
export function teacherEntropy(output: Inspectable, options: EntropyOptions = {}): EntropyReport {
  const x = valuesOf(output);
  const { rows, k, at } = rowsAlong(x, options.axis, 'teacherEntropy');
  const t = options.temperature ?? 1;
  const marginal = new Float64Array(k);
  const row = new Float64Array(k);
  let sumH = 0;
  for (let r = 0; r < rows; r++) {
    if (options.logits) {
      let m = -Infinity;
      for (let c = 0; c < k; c++) m = Math.max(m, at(r, c) / t);
      let z = 0;
      for (let c = 0; c < k; c++) z += row[c] = Math.exp(at(r, c) / t - m);
      for (let c = 0; c < k; c++) row[c] = row[c]! / z;
    } else {
      for (let c = 0; c < k; c++) row[c] = at(r, c);
    }
    sumH += entropyOf(row);
    for (let c = 0; c < k; c++) marginal[c] = marginal[c]! + row[c]! / rows;
  }
  const meanEntropy = rows === 0 ? 0 : sumH / rows;
  const marginalEntropy = entropyOf(marginal);
  let dominant = 0;
  for (let c = 1; c < k; c++) if (marginal[c]! > marginal[dominant]!) dominant = c;
  return { rows, k, meanEntropy, marginalEntropy, information: Math.max(0, marginalEntropy - meanEntropy), logK: Math.log(k), dominant, dominantMass: marginal[dominant] ?? 0 };
}

/* ------------------------------------------------------------------------ */
/* Embedding spread                                                          */
/* ------------------------------------------------------------------------ */

/** The embeddings' per-dimension standard deviation. */
export interface EmbeddingStdReport {
  readonly rows: number;
  readonly dims: number;
  /** Mean over dimensions of the (unbiased) standard deviation over rows of the L2-normalised rows. */
  readonly std: number;
  /** 1/√d, the value for embeddings spread evenly over the sphere. */
  readonly healthy: number;
}

/** Standard deviation of L2-normalised embeddings (rows along all axes but `axis`, default the last). */
export function embeddingStd(embeddings: Inspectable, axis?: string): EmbeddingStdReport {
  const x = valuesOf(embeddings);
  const { rows, k: dims, at } = rowsAlong(x, axis, 'embeddingStd');
  const z = new Float64Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < dims; c++) s += at(r, c) ** 2;
    const norm = Math.max(Math.sqrt(s), 1e-12);
    for (let c = 0; c < dims; c++) z[r * dims + c] = at(r, c) / norm;
  }
  let total = 0;
  for (let c = 0; c < dims; c++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += z[r * dims + c]!;
    mean /= rows;
    let ss = 0;
    for (let r = 0; r < rows; r++) ss += (z[r * dims + c]! - mean) ** 2;
    total += rows > 1 ? Math.sqrt(ss / (rows - 1)) : 0;
  }
  return { rows, dims, std: dims === 0 ? 0 : total / dims, healthy: 1 / Math.sqrt(dims) };
}

/* ------------------------------------------------------------------------ */
/* Occupancy                                                                 */
/* ------------------------------------------------------------------------ */

/** How many clusters or prototypes are used, and how evenly. */
export interface OccupancyReport {
  readonly k: number;
  readonly counts: Int32Array;
  readonly empty: number;
  readonly emptyFraction: number;
  /** The fullest cluster and the fraction of the points it holds. */
  readonly largest: number;
  readonly largestFraction: number;
}

/** Occupancy of k clusters from the cluster of each point. */
export function occupancy(assignments: ArrayLike<number>, k: number): OccupancyReport {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`occupancy: k must be a positive integer, got ${k}`);
  const counts = new Int32Array(k);
  for (let i = 0; i < assignments.length; i++) {
    const c = assignments[i]!;
    if (!Number.isInteger(c) || c < 0 || c >= k) throw new RangeError(`occupancy: point ${i} is assigned to ${c}, outside [0, ${k})`);
    counts[c] = counts[c]! + 1;
  }
  let largest = 0;
  for (let c = 1; c < k; c++) if (counts[c]! > counts[largest]!) largest = c;
  const empty = counts.reduce((n, c) => n + (c === 0 ? 1 : 0), 0);
  const n = assignments.length;
  return { k, counts, empty, emptyFraction: empty / k, largest, largestFraction: n === 0 ? 0 : counts[largest]! / n };
}

/** Occupancy of prototypes: each row (e.g. scores or codes [B, K]) goes to its arg-max along `axis`. */
export function prototypeOccupancy(scores: Inspectable, axis?: string): OccupancyReport {
  const x = valuesOf(scores);
  const { rows, k, at } = rowsAlong(x, axis, 'prototypeOccupancy');
  const assign = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < k; c++) if (at(r, c) > at(r, best)) best = c;
    assign[r] = best;
  }
  return occupancy(assign, k);
}

/* ------------------------------------------------------------------------ */
/* Non-finite values                                                         */
/* ------------------------------------------------------------------------ */

/** The first node whose value is NaN or infinite, and where. */
export interface NonFiniteReport {
  /** Index of the node in the evaluated graph's topological order. */
  readonly nodeIndex: number;
  readonly op: string;
  /** The ops of its inputs. */
  readonly inputs: readonly string[];
  readonly node: Tensor;
  /** First bad element (row-major) and its value. */
  readonly elementIndex: number;
  readonly value: number;
  /** 'node 3 (log of constant) produced -Infinity at element 1' */
  readonly message: string;
}

function isGraph(x: unknown): x is Graph {
  return typeof x === 'object' && x !== null && !isTensor(x) && Array.isArray((x as Graph).nodes) && Array.isArray((x as Graph).outputs) && Array.isArray((x as Graph).inputs);
}

/**
 * The first node that produces NaN or ±Infinity when `target` is evaluated on
 * the reference interpreter: target is a tensor or a tree of tensors (that
 * depend on no formal input), or a graph (with values for its inputs).
 * Undefined when everything is finite.
 */
export function firstNonFinite(target: unknown, inputs: readonly InputValue[] = []): NonFiniteReport | undefined {
  try {
    if (isGraph(target)) interpret(target, inputs, { checkFinite: true });
    else {
      flattenTree(target, isTensor);
      evaluate(target, { checkFinite: true });
    }
    return undefined;
  } catch (e) {
    if (!(e instanceof NonFiniteError)) throw e;
    return { nodeIndex: e.nodeIndex, op: e.node.op, inputs: e.node.inputs.map((x) => x.op), node: e.node, elementIndex: e.elementIndex, value: e.value, message: e.message };
  }
}

/* ------------------------------------------------------------------------ */
/* Verdict                                                                   */
/* ------------------------------------------------------------------------ */

/** The thresholds of the diagnostics' verdicts. */
export interface Thresholds {
  /** Collapsed when the teacher's information ≤ this fraction of log(min(K, rows)) (default 0.02). */
  readonly information?: number;
  /** Collapsed when one output dimension takes at least this share of the mean row (DINO without centering; default 0.5, with K > 2). */
  readonly dominantMass?: number;
  /** Collapsed when the mean row entropy ≥ this fraction of log K (uniform teacher; default 0.99). */
  readonly uniformEntropy?: number;
  /** Collapsed when the embedding std ≤ this fraction of 1/√d (default 0.1). */
  readonly embeddingStd?: number;
  /** Collapsed when one cluster holds at least this fraction of the points (default 0.9, with k > 1). */
  readonly largestCluster?: number;
  /** Warn when more than this fraction of clusters is empty (default 0.5). */
  readonly emptyClusters?: number;
}

/** What the collapse diagnostics look at: teacher outputs, embeddings, assignments. */
export interface DiagnosticsInput {
  /** The teacher's output probabilities (or logits, see teacherOptions). */
  readonly teacher?: Inspectable;
  readonly teacherOptions?: EntropyOptions;
  readonly embeddings?: Inspectable;
  readonly embeddingAxis?: string;
  /** Cluster of each point and the number of clusters. */
  readonly clusters?: { readonly assignments: ArrayLike<number>; readonly k: number };
  /** Prototype scores or codes (rows to prototypes). */
  readonly prototypes?: Inspectable;
  readonly prototypeAxis?: string;
  /** Tensors (or a tree of them) to check for non-finite values. */
  readonly tensors?: unknown;
}

/** A diagnostic's verdict. */
export type Status = 'healthy' | 'warning' | 'collapsed' | 'non-finite';

/** One diagnostic's verdict and explanation. */
export interface Finding {
  readonly status: Status;
  readonly check: 'teacher' | 'embeddings' | 'clusters' | 'prototypes' | 'non-finite';
  readonly message: string;
}

/** The diagnostics' overall status and findings. */
export interface Verdict {
  /** The worst status found. */
  readonly status: Status;
  /** Whether any check found a collapse (even when a non-finite value is worse). */
  readonly collapsed: boolean;
  readonly findings: readonly Finding[];
  /** The findings, worst first, one per line. */
  readonly message: string;
}

const f2 = (x: number) => x.toFixed(2);
const rank: Record<Status, number> = { healthy: 0, warning: 1, collapsed: 2, 'non-finite': 3 };

/** The verdict on the teacher's output entropy (collapse to uniform or to one-hot). */
export function teacherFinding(r: EntropyReport, t: Thresholds = {}): Finding {
  const base = `teacher entropy ${f2(r.meanEntropy)} of log K = ${f2(r.logK)}`;
  const scale = Math.log(Math.min(r.k, r.rows));
  if (r.k > 1 && r.meanEntropy >= (t.uniformEntropy ?? 0.99) * r.logK) {
    return { status: 'collapsed', check: 'teacher', message: `collapsed: ${base} (every row is near uniform)` };
  }
  if (r.k > 1 && r.rows > 1 && r.information <= (t.information ?? 0.02) * scale) {
    return { status: 'collapsed', check: 'teacher', message: `collapsed: ${base}; every row is the same distribution (information ${f2(r.information)} nats; dimension ${r.dominant} holds ${(100 * r.dominantMass).toFixed(0)}% of the mass)` };
  }
  if (r.k > 2 && r.dominantMass >= (t.dominantMass ?? 0.5)) {
    return { status: 'collapsed', check: 'teacher', message: `collapsed: ${base}; dimension ${r.dominant} takes ${(100 * r.dominantMass).toFixed(0)}% of the mass` };
  }
  return { status: 'healthy', check: 'teacher', message: `healthy: ${base}, information ${f2(r.information)} nats` };
}

/** The verdict on the embeddings' per-dimension standard deviation (collapse when it vanishes). */
export function embeddingFinding(r: EmbeddingStdReport, t: Thresholds = {}): Finding {
  const base = `embedding std ${r.std.toFixed(4)} (healthy ≈ 1/√${r.dims} = ${r.healthy.toFixed(4)})`;
  return r.std <= (t.embeddingStd ?? 0.1) * r.healthy
    ? { status: 'collapsed', check: 'embeddings', message: `collapsed: ${base}` }
    : { status: 'healthy', check: 'embeddings', message: `healthy: ${base}` };
}

/** The verdict on how many clusters or prototypes are in use. */
export function occupancyFinding(r: OccupancyReport, check: 'clusters' | 'prototypes', t: Thresholds = {}): Finding {
  const base = `${check}: ${r.k - r.empty} of ${r.k} used, ${r.empty} empty, the largest (${r.largest}) holds ${(100 * r.largestFraction).toFixed(0)}%`;
  if (r.k > 1 && r.largestFraction >= (t.largestCluster ?? 0.9)) return { status: 'collapsed', check, message: `collapsed: ${base}` };
  if (r.emptyFraction > (t.emptyClusters ?? 0.5)) return { status: 'warning', check, message: `warning: ${base}` };
  return { status: 'healthy', check, message: `healthy: ${base}` };
}

/** Run every check the input allows and summarise them. */
export function diagnose(input: DiagnosticsInput, thresholds: Thresholds = {}): Verdict {
  const findings: Finding[] = [];
  if (input.tensors !== undefined) {
    const bad = firstNonFinite(input.tensors);
    if (bad !== undefined) findings.push({ status: 'non-finite', check: 'non-finite', message: `non-finite: ${bad.message}` });
  }
  if (input.teacher !== undefined) findings.push(teacherFinding(teacherEntropy(input.teacher, input.teacherOptions), thresholds));
  if (input.embeddings !== undefined) findings.push(embeddingFinding(embeddingStd(input.embeddings, input.embeddingAxis), thresholds));
  if (input.clusters !== undefined) findings.push(occupancyFinding(occupancy(input.clusters.assignments, input.clusters.k), 'clusters', thresholds));
  if (input.prototypes !== undefined) findings.push(occupancyFinding(prototypeOccupancy(input.prototypes, input.prototypeAxis), 'prototypes', thresholds));
  const sorted = [...findings].sort((a, b) => rank[b.status] - rank[a.status]);
  const status = sorted[0]?.status ?? 'healthy';
  return { status, collapsed: sorted.some((f) => f.status === 'collapsed'), findings: sorted, message: sorted.map((f) => f.message).join('\n') || 'healthy: nothing to check' };
}
