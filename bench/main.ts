/**
 * npm run bench: timings side by side, reported as ratios. Until the compiler
 * lands the only shapegrad backend is the float64 reference interpreter, and
 * the peer is the same computation written as plain JavaScript loops, so the
 * ratio says what the interpreter's generality costs. The compiler issue adds
 * TensorFlow.js and jax-js rows to this same harness.
 */
import * as sg from '../src/index.js';
import { runDemo } from '../src/cli/demo.js';

interface Row {
  workload: string;
  impl: string;
  backend: string;
  median_ms: number;
  spread_ms: number;
  ratio_vs: Record<string, number>;
}

function time(fn: () => void, repeats: number): { median: number; spread: number } {
  fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)]!, spread: samples[samples.length - 1]! - samples[0]! };
}

function matmulWorkload(n: number, repeats: number, progress: (s: string) => void): Row[] {
  progress(`matmul ${n}x${n}`);
  const a = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i));
  const b = Float64Array.from({ length: n * n }, (_, i) => Math.cos(i));
  const program = sg.trace((x, y) => sg.einsum('I K, K J -> I J', x, y), sg.spec(['I', 'K'], [n, n]), sg.spec(['K', 'J'], [n, n]));
  let ours: Float64Array = new Float64Array(0);
  const t1 = time(() => {
    ours = sg.interpret(program.graph, [a, b])[0]!.data;
  }, repeats);
  let plain = new Float64Array(0);
  const t2 = time(() => {
    plain = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
      const aik = a[i * n + k]!;
      for (let j = 0; j < n; j++) plain[i * n + j]! += aik * b[k * n + j]!;
    }
  }, repeats);
  const maxErr = ours.reduce((m, v, i) => Math.max(m, Math.abs(v - plain[i]!)), 0);
  if (maxErr > 1e-9 * n) throw new Error(`matmul ${n}: shapegrad and the plain loop disagree by ${maxErr}`);
  const workload = `matmul ${n}`;
  return [
    { workload, impl: 'shapegrad', backend: 'reference', median_ms: t1.median, spread_ms: t1.spread, ratio_vs: { 'plain-js': t1.median / t2.median } },
    { workload, impl: 'plain-js', backend: 'js', median_ms: t2.median, spread_ms: t2.spread, ratio_vs: {} },
  ];
}

function trainStepWorkload(repeats: number, progress: (s: string) => void): Row[] {
  progress('spiral MLP training step (forward + backward + SGD, N=200, hidden 32)');
  const t = time(() => runDemo({ steps: 9, hidden: 32, perClass: 100, learningRate: 0.5, log: () => {} }), repeats);
  return [{ workload: 'mlp train step x10', impl: 'shapegrad', backend: 'reference', median_ms: t.median, spread_ms: t.spread, ratio_vs: {} }];
}

function main(args: readonly string[]): void {
  const json = args.includes('--json');
  const progress = (s: string) => process.stderr.write(`[bench] ${s}\n`);
  const rows = [...matmulWorkload(128, 5, progress), ...matmulWorkload(256, 3, progress), ...trainStepWorkload(3, progress)];
  if (json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return;
  }
  const header = ['workload', 'impl', 'backend', 'median ms', 'spread ms', 'ratio'];
  const lines = rows.map((r) => [r.workload, r.impl, r.backend, r.median_ms.toFixed(2), r.spread_ms.toFixed(2), Object.entries(r.ratio_vs).map(([k, v]) => `${v.toFixed(2)}x ${k}`).join(', ')]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(`${fmt(header)}\n${lines.map(fmt).join('\n')}\n`);
}

main(process.argv.slice(2));
