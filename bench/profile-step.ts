/**
 * Where the main job's step goes (issue 19): the DINO step of `npm start`
 * (bench/workloads/dino-step.ts's mainJob) compiled once more with per-kernel
 * timing on one thread, beside the whole call on one and on two threads.
 *
 * Prints the kernel count, the kernels' total against the whole call (the rest
 * is the host side: inputs narrowed to float32, outputs widened to float64), a
 * histogram of kernel durations, the kernels grouped by their first graph op,
 * how the native renderer runs them (f32x4, lanes along a loop, scalar), and the largest kernels.
 *
 * Usage: node dist/bench/profile-step.js [--steps N] [--min] [--json]
 * (--min: each time is the minimum over the steps instead of the median, the
 * least disturbed figure on a busy machine).
 */
import { dinoTrainer, type DinoState } from '../src/train/dino.js';
import { compileWasm } from '../src/compile/wasm/program.js';
import { tileOf } from '../src/compile/wasm/tiling.js';
import type { BufferInfo } from '../src/compile/kernel-ir.js';
import type { Kernel } from '../src/compile/kernel-ir.js';
import { mainJob, dinoStepData } from './workloads/dino-step.js';
import { table as displayTable } from '../src/notebook/display.js';

const fmt = (x: number, digits: number): string => x.toFixed(digits);

/** A plain text table (the notebooks' table, its text/plain form). */
const table = (header: readonly string[], rows: readonly (readonly string[])[]): string => String(displayTable(header, rows).bundle['text/plain']);

const minimum = (xs: readonly number[]): number => Math.min(...xs);
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Duration buckets of the histogram, in ms (upper bounds). */
const BUCKETS: readonly [string, number][] = [
  ['< 5 µs', 0.005],
  ['5–20 µs', 0.02],
  ['20–100 µs', 0.1],
  ['0.1–1 ms', 1],
  ['≥ 1 ms', Infinity],
];

interface KernelProfile {
  readonly name: string;
  /** How the native renderer runs it: a map or a contraction, f32x4 along the output, lanes along its loop, or scalar. */
  readonly rendering: string;
  readonly ops: string;
  readonly elements: number;
  readonly ms: number;
}

/** One statistic (median, or minimum: the least disturbed on a busy machine) of each kernel's times over the steps. */
function kernelStatistics(kernels: readonly Kernel[], buffers: ReadonlyMap<number, BufferInfo>, runs: readonly (readonly number[])[], statistic: (xs: readonly number[]) => number): KernelProfile[] {
  return kernels.map((k, i) => ({
    name: k.name,
    rendering: renderingOf(k, buffers),
    ops: k.ops.join(' '),
    elements: k.sizes.reduce((a, b) => a * b, 1),
    ms: statistic(runs.map((r) => r[i]!)),
  }));
}

function histogram(profile: readonly KernelProfile[]): string[][] {
  const total = profile.reduce((s, k) => s + k.ms, 0);
  let lower = 0;
  return BUCKETS.map(([label, upper]) => {
    const inside = profile.filter((k) => k.ms >= lower && k.ms < upper);
    lower = upper;
    const ms = inside.reduce((s, k) => s + k.ms, 0);
    return [label, String(inside.length), fmt(ms, 2), `${fmt((100 * ms) / total, 1)} %`];
  });
}

/** 'contraction f32x4', 'contraction lanes on loop', 'map scalar', ... (see compile/wasm/tiling.ts). */
function renderingOf(k: Kernel, buffers: ReadonlyMap<number, BufferInfo>): string {
  const tile = tileOf(k, {}, buffers);
  const kind = k.body.some((s) => s.kind === 'reduce') ? 'contraction' : 'map';
  return `${kind} ${tile.vector ? 'f32x4' : tile.rows > 1 || tile.cols > 1 ? 'lanes on loop' : 'scalar'}`;
}

function byRendering(profile: readonly KernelProfile[]): string[][] {
  const groups = new Map<string, { n: number; ms: number }>();
  for (const k of profile) {
    const g = groups.get(k.rendering) ?? { n: 0, ms: 0 };
    groups.set(k.rendering, { n: g.n + 1, ms: g.ms + k.ms });
  }
  return [...groups].sort((a, b) => b[1].ms - a[1].ms).map(([r, g]) => [r, String(g.n), fmt(g.ms, 2)]);
}

function byFirstOp(profile: readonly KernelProfile[]): string[][] {
  const groups = new Map<string, { n: number; ms: number }>();
  for (const k of profile) {
    const op = k.ops.split(' ')[0] ?? '?';
    const g = groups.get(op) ?? { n: 0, ms: 0 };
    groups.set(op, { n: g.n + 1, ms: g.ms + k.ms });
  }
  return [...groups].sort((a, b) => b[1].ms - a[1].ms).map(([op, g]) => [op, String(g.n), fmt(g.ms, 2)]);
}

async function timedCalls(threads: number, steps: number, images: Float32Array, statistic: (xs: readonly number[]) => number): Promise<number> {
  const trainer = dinoTrainer({ ...mainJob, wasmThreads: threads });
  let state: DinoState = { ...trainer.initState(), step: trainer.config.warmupSteps };
  const times: number[] = [];
  for (let s = 0; s < steps + 3; s++) {
    const t0 = performance.now();
    state = (await trainer.step(state, images)).state;
    if (s >= 3) times.push(performance.now() - t0);
  }
  trainer.destroy();
  return statistic(times);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const stepsAt = args.indexOf('--steps');
  const steps = stepsAt >= 0 ? Number(args[stepsAt + 1]) : 10;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`--steps takes a positive whole number, got ${args[stepsAt + 1]}`);
  const { images } = dinoStepData();

  const trainer = dinoTrainer({ ...mainJob, wasmThreads: 1 });
  const profiled = compileWasm(trainer.program, { threads: 1, perKernel: true });
  let state: DinoState = { ...trainer.initState(), step: trainer.config.warmupSteps };
  const runs: number[][] = [];
  const calls: number[] = [];
  for (let s = 0; s < steps + 3; s++) {
    const { inputs } = trainer.stepInputs(state, images);
    const t0 = performance.now();
    const out = profiled.runSync(...inputs);
    const ms = performance.now() - t0;
    if (s >= 3) {
      runs.push([...profiled.kernelTimes()]);
      calls.push(ms);
    }
    state = { ...state, student: out.student, teacher: out.teacher, center: out.center, opt: out.opt, step: state.step + 1 };
  }
  profiled.destroy();
  trainer.destroy();

  const statistic = args.includes('--min') ? minimum : median;
  const profile = kernelStatistics(profiled.kernels, profiled.buffers, runs, statistic);
  const kernelMs = profile.reduce((s, k) => s + k.ms, 0);
  const callMs = statistic(calls);
  const oneThread = await timedCalls(1, steps, images, statistic);
  const twoThreads = await timedCalls(2, steps, images, statistic);
  const summary = { kernels: profile.length, kernelMs, perKernelCallMs: callMs, hostMs: callMs - kernelMs, oneThreadStepMs: oneThread, twoThreadStepMs: twoThreads, steps };

  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ summary, kernels: profile }, null, 1)}\n`);
    return;
  }
  const lines = [
    `main job's DINO step (xcit-tiny, batch 32, 2 global views), ${statistic === minimum ? 'minimum' : 'median'} of ${steps} steps after 3`,
    `kernels: ${profile.length}; their sum ${fmt(kernelMs, 2)} ms of a ${fmt(callMs, 2)} ms call timed kernel by kernel (host side and timing ${fmt(callMs - kernelMs, 2)} ms)`,
    `trainer.step as a run calls it: ${fmt(oneThread, 2)} ms on one thread, ${fmt(twoThreads, 2)} ms on two`,
    '',
    table(['kernel time', 'kernels', 'ms', 'share'], histogram(profile)),
    '',
    table(['rendered as', 'kernels', 'ms'], byRendering(profile)),
    '',
    table(['first op', 'kernels', 'ms'], byFirstOp(profile).slice(0, 15)),
    '',
    table(['largest kernels', 'elements', 'ms', 'rendered as', 'ops'], [...profile].sort((a, b) => b.ms - a.ms).slice(0, 15).map((k) => [k.name, String(k.elements), fmt(k.ms, 3), k.rendering, k.ops.slice(0, 60)])),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
