/**
 * The harness: a workload is a list of candidates (one implementation on one
 * backend each). Every candidate is prepared (compile, jit, variables), run
 * once and checked against the workload's oracle, then timed. A candidate
 * that disagrees with the oracle is an error and gets no row.
 */
import * as sg from '../src/index.js';
import type { GpujsBackend, Program } from '../src/index.js';
import { MismatchError, maxScaledError, relativeError, timeAsync, type Timing, type TimingPlan } from './common.js';

/** What one call of a workload produces, on the host: the loss (or a scalar summary) and named tensors. */
export interface Output {
  readonly loss: number;
  readonly tensors: Readonly<Record<string, ArrayLike<number>>>;
  /**
   * Scale every tensor's error by the largest value over ALL tensors instead of
   * its own (for parameter updates of a training step: the update of a
   * parameter near 1 is below float32's resolution there, so per-tensor
   * scaling would measure the rounding of the stored parameter, not the step).
   */
  readonly jointScale?: boolean;
}

export interface Prepared {
  /** One call from the workload's initial inputs, returning what is compared. */
  first(): Promise<Output>;
  /** One timed call (training steps carry their state from call to call). */
  step(): Promise<void>;
  /** Release what prepare made (compiled kernels, variables, jitted functions). */
  dispose(): void;
  /** What actually ran (after the first call), e.g. gpu.js's backend and executor. */
  ran?(): string;
  /**
   * Time the calls itself, with the plan and deadline timeAsync would get (a peer in another
   * process, PyTorch, whose round trip to Node per call would be part of the measure).
   */
  timeCalls?(plan: TimingPlan, deadline: number): Promise<Timing & { readonly cut: boolean }>;
  /** Set-up and first-call times measured inside the peer (process start and imports left out): replace the harness's. */
  ownTimes?(): { readonly setupMs: number; readonly firstCallMs: number };
}

export interface Candidate {
  readonly impl: 'shapegrad' | 'tfjs' | 'jax-js' | 'pytorch';
  readonly backend: string;
  /** Notes on the backend: executor, SIMD, threads. */
  readonly detail?: string;
  readonly prepare: () => Promise<Prepared>;
  /** Timing plan override (the float64 interpreter is measured with fewer calls). */
  readonly plan?: Partial<TimingPlan>;
}

export interface CheckResult {
  /** The row the outputs were compared with ('float64 reference' or a row's name), or null for the oracle itself. */
  readonly against: string | null;
  readonly loss: number;
  readonly loss_rel_err: number | null;
  /** max over tensors of max|a - b| / max|b|. */
  readonly tensor_err: number | null;
}

export interface Row {
  /** 'ok': timed; see TimedOutRow for a row past its budget. */
  readonly status: 'ok';
  readonly workload: string;
  readonly impl: string;
  readonly backend: string;
  readonly detail: string;
  readonly median_ms: number;
  readonly min_ms: number;
  readonly max_ms: number;
  readonly q1_ms: number;
  readonly q3_ms: number;
  readonly repeats: number;
  /** prepare(): compile / jit set-up / variable creation (ms). */
  readonly setup_ms: number;
  /** The first call, which includes lazy kernel builds and jit tracing (ms). */
  readonly first_call_ms: number;
  /** setup + first call - median: what building the program costs once (compile, kernel builds, jit). */
  readonly compile_estimate_ms: number;
  /** This row's median divided by each other row's median (peer name impl/backend). */
  ratio_vs: Record<string, number>;
  readonly check: CheckResult;
  /** The row's time budget (--budget) ran short, so fewer warm-ups or repetitions than planned were made. */
  readonly cut_by_budget: boolean;
}

/**
 * A row that did not finish within its time budget: its process was killed and
 * the next rows ran in a fresh one. Same keys as Row, with the numbers null.
 */
export interface TimedOutRow {
  readonly status: 'timed out';
  readonly workload: string;
  readonly impl: string;
  readonly backend: string;
  readonly detail: string;
  /** e.g. "timed out after 120 s (in the first call)". */
  readonly message: string;
  readonly budget_s: number;
  /** Where the row was when its budget ran out: setup, first call, check, timing ('' if it had not said). */
  readonly phase: string;
  readonly median_ms: null;
  readonly min_ms: null;
  readonly max_ms: null;
  readonly q1_ms: null;
  readonly q3_ms: null;
  readonly repeats: 0;
  readonly setup_ms: null;
  readonly first_call_ms: null;
  readonly compile_estimate_ms: null;
  ratio_vs: Record<string, number>;
  readonly check: null;
  readonly cut_by_budget: false;
}

export type BenchRow = Row | TimedOutRow;

export function timedOutRow(r: { workload: string; impl: string; backend: string; detail?: string }, budgetS: number, phase: string): TimedOutRow {
  return {
    status: 'timed out',
    workload: r.workload,
    impl: r.impl,
    backend: r.backend,
    detail: r.detail ?? '',
    message: `timed out after ${budgetS} s${phase ? ` (in the ${phase})` : ''}`,
    budget_s: budgetS,
    phase,
    median_ms: null,
    min_ms: null,
    max_ms: null,
    q1_ms: null,
    q3_ms: null,
    repeats: 0,
    setup_ms: null,
    first_call_ms: null,
    compile_estimate_ms: null,
    ratio_vs: {},
    check: null,
    cut_by_budget: false,
  };
}

export interface Tolerance {
  /** Relative error allowed on the loss (issue 7: 1e-4). */
  readonly loss: number;
  /** max abs error / max |reference| allowed per tensor. */
  readonly tensor: number;
}

export const defaultTolerance: Tolerance = { loss: 1e-4, tensor: 1e-3 };

export interface Oracle {
  readonly name: string;
  readonly output: Output;
}

export function compareOutputs(actual: Output, expected: Output): { lossErr: number; tensorErr: number; worst: string } {
  const lossErr = relativeError(actual.loss, expected.loss);
  let tensorErr = 0;
  let worst = '';
  let joint = 0;
  if (expected.jointScale) for (const want of Object.values(expected.tensors)) joint = Math.max(joint, maxAbs(want));
  for (const [name, want] of Object.entries(expected.tensors)) {
    const got = actual.tensors[name];
    const err = got === undefined ? Infinity : expected.jointScale ? (maxScaledError(got, want) * maxAbs(want)) / Math.max(joint, 1e-30) : maxScaledError(got, want);
    if (!(err <= tensorErr)) {
      tensorErr = err;
      worst = name;
    }
  }
  return { lossErr: Number.isNaN(lossErr) ? Infinity : lossErr, tensorErr, worst };
}

function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

export function peerName(r: { impl: string; backend: string }): string {
  return `${r.impl}/${r.backend}`;
}

export interface WorkloadRun {
  readonly rows: Row[];
  readonly errors: string[];
}

/** What one candidate gave: a row (and its checked output), or an error message. */
export type CandidateResult = { readonly row: Row; readonly output: Output } | { readonly error: string };

export interface CandidateHooks {
  /** Called as the candidate moves on: 'setup', 'first call', 'timing' (awaited). */
  readonly phase?: (phase: 'setup' | 'first call' | 'timing') => void | Promise<void>;
  /** performance.now() by which the row should be done: repetitions stop short of it (see timeAsync). */
  readonly deadline?: number;
}

/**
 * One candidate: prepare, first call checked against the oracle (when there
 * is none, its output is the oracle: the caller keeps `output`), then timed.
 */
export async function runCandidate(
  workload: string,
  c: Candidate,
  plan: TimingPlan,
  progress: (s: string) => void,
  oracle: Oracle | undefined,
  tol: Tolerance = defaultTolerance,
  hooks: CandidateHooks = {},
): Promise<CandidateResult> {
  const name = peerName(c);
  let prepared: Prepared | undefined;
  try {
    await hooks.phase?.('setup');
    const t0 = performance.now();
    prepared = await c.prepare();
    let setup = performance.now() - t0;
    await hooks.phase?.('first call');
    const t1 = performance.now();
    const out = await prepared.first();
    let firstCall = performance.now() - t1;
    let check: CheckResult = { against: null, loss: out.loss, loss_rel_err: null, tensor_err: null };
    if (oracle !== undefined) {
      const cmp = compareOutputs(out, oracle.output);
      check = { against: oracle.name, loss: out.loss, loss_rel_err: cmp.lossErr, tensor_err: cmp.tensorErr };
      if (!(cmp.lossErr <= tol.loss) || !(cmp.tensorErr <= tol.tensor)) {
        throw new MismatchError(
          `${workload}: ${name} disagrees with ${oracle.name}: loss ${out.loss} vs ${oracle.output.loss} (relative error ${cmp.lossErr.toExponential(2)}, allowed ${tol.loss}); ` +
            `worst tensor ${cmp.worst || '-'} off by ${cmp.tensorErr.toExponential(2)} of its largest value (allowed ${tol.tensor})`,
        );
      }
    }
    const ran = prepared.ran?.();
    await hooks.phase?.('timing');
    const rowPlan = { ...plan, ...c.plan };
    const t = prepared.timeCalls ? await prepared.timeCalls(rowPlan, hooks.deadline ?? Infinity) : await timeAsync(() => prepared!.step(), rowPlan, hooks.deadline);
    const own = prepared.ownTimes?.();
    if (own !== undefined && Number.isFinite(own.setupMs) && Number.isFinite(own.firstCallMs)) {
      setup = own.setupMs;
      firstCall = own.firstCallMs;
    }
    const detail = [c.detail, ran].filter((s) => s !== undefined && s !== '').join('; ');
    const row = toRow(workload, c, detail, t, setup, firstCall, check);
    const agree = check.against === null ? 'oracle' : `loss rel err ${check.loss_rel_err!.toExponential(1)}, tensors ${check.tensor_err!.toExponential(1)} vs ${check.against}`;
    progress(
      `  ${name.padEnd(22)} median ${t.median.toFixed(2)} ms (${t.min.toFixed(2)}–${t.max.toFixed(2)}, n=${t.samples.length}${t.cut ? ', cut short by the row budget' : ''}); setup ${setup.toFixed(0)} ms, first call ${firstCall.toFixed(0)} ms; ${agree}`,
    );
    return { row, output: out };
  } catch (e) {
    progress(`  ${name.padEnd(22)} ERROR ${e instanceof MismatchError ? e.message : (e as Error).message}`);
    return { error: e instanceof MismatchError ? e.message : `${workload}: ${name} failed: ${(e as Error).stack ?? String(e)}` };
  } finally {
    try {
      prepared?.dispose();
    } catch {
      /* a failed dispose does not hide the row */
    }
  }
}

/**
 * Run candidates in order, in this process (no time budget: see budget.ts and
 * child.ts for the bench's isolated rows). The oracle is given (the float64
 * reference's output) or, when it is not, the first candidate that runs becomes it.
 */
export async function runCandidates(
  workload: string,
  candidates: readonly Candidate[],
  plan: TimingPlan,
  progress: (s: string) => void,
  options: { oracle?: Oracle; tolerance?: Tolerance } = {},
): Promise<WorkloadRun> {
  let oracle = options.oracle;
  const rows: Row[] = [];
  const errors: string[] = [];
  for (const c of candidates) {
    const r = await runCandidate(workload, c, plan, progress, oracle, options.tolerance);
    if ('error' in r) errors.push(r.error);
    else {
      rows.push(r.row);
      oracle ??= { name: peerName(c), output: r.output };
    }
  }
  addRatios(rows);
  return { rows, errors };
}

function toRow(workload: string, c: Candidate, detail: string, t: Timing & { readonly cut: boolean }, setup: number, firstCall: number, check: CheckResult): Row {
  return {
    status: 'ok',
    workload,
    impl: c.impl,
    backend: c.backend,
    detail,
    median_ms: t.median,
    min_ms: t.min,
    max_ms: t.max,
    q1_ms: t.q1,
    q3_ms: t.q3,
    repeats: t.samples.length,
    setup_ms: setup,
    first_call_ms: firstCall,
    compile_estimate_ms: Math.max(0, setup + firstCall - t.median),
    ratio_vs: {},
    check,
    cut_by_budget: t.cut,
  };
}

/** ratio_vs[peer] = this median / the peer's median (above 1: this row is slower); rows without a median have none. */
export function addRatios(rows: readonly BenchRow[]): void {
  const timed = rows.filter((r): r is Row => r.status === 'ok');
  for (const r of rows) {
    r.ratio_vs = {};
    if (r.status !== 'ok') continue;
    for (const p of timed) if (p !== r) r.ratio_vs[peerName(p)] = r.median_ms / p.median_ms;
  }
}

// ---- shapegrad candidates ------------------------------------------------

/**
 * The native WebAssembly backend on a number of threads (`wasm-2t`: 2 threads; `wasm-1t-f32`: one
 * thread, outputs returned in float32 instead of widened to float64), or a gpu.js backend.
 */
export type NativeBackend = `wasm-${number}t` | `wasm-${number}t-f32`;
export type ShapegradBackend = NativeBackend | GpujsBackend | 'webgl2-native';

export const nativeBackend = (threads: number, outputs: sg.OutputPrecision = 'float64'): NativeBackend => (outputs === 'float32' ? `wasm-${threads}t-f32` : `wasm-${threads}t`);

/** Threads of a native backend's name, or undefined for a gpu.js backend. */
export function nativeThreads(backend: ShapegradBackend): number | undefined {
  const m = /^wasm-(\d+)t(-f32)?$/.exec(backend);
  return m ? Number(m[1]) : undefined;
}

/** The precision a native backend's row asks its outputs in. */
export const nativeOutputs = (backend: ShapegradBackend): sg.OutputPrecision => (backend.endsWith('-f32') ? 'float32' : 'float64');

/** Accepts what gpu.js reports for a backend: its GL kernels (webgl, webgl2, headlessgl) all report the mode 'gpu'. */
export function ranAsRequested(requested: ShapegradBackend, info: sg.ExecutionInfo): boolean {
  const threads = nativeThreads(requested);
  if (threads !== undefined) return info.backend === 'wasm' && (info as { threads?: number }).threads === threads;
  const ran = info.backend;
  if (ran === requested) return true;
  return ran === 'gpu' && (requested === 'headlessgl' || requested === 'webgl' || requested === 'webgl2');
}

/**
 * A compiled shapegrad program on the native backend or one gpu.js backend. `args` gives the inputs
 * of the first (checked) call; `next` (optional) the inputs of the next timed
 * call from the previous outputs (a training step feeds its new parameters back).
 */
export function shapegradCompiled<A extends readonly unknown[], R>(
  program: Program<A, R>,
  backend: ShapegradBackend,
  args: () => readonly unknown[],
  toOutput: (out: sg.ValuesOf<R>, args: readonly unknown[]) => Output,
  next?: (out: sg.ValuesOf<R>, args: readonly unknown[]) => readonly unknown[],
): Candidate {
  return {
    impl: 'shapegrad',
    backend,
    prepare: async () => {
      const threads = nativeThreads(backend);
      const compiled = sg.compile(program, threads === undefined ? { backend: backend as GpujsBackend } : { backend: 'wasm', wasm: { threads }, outputs: nativeOutputs(backend) });
      let current = args();
      const call = async (a: readonly unknown[]) => {
        const out = (await (compiled.run as (...xs: readonly unknown[]) => Promise<sg.ValuesOf<R>>)(...a));
        const info = compiled.lastRun();
        if (info === undefined || !ranAsRequested(backend, info)) {
          throw new Error(`asked for backend ${backend} but ${info?.backend ?? 'nothing'} ran (${info?.fallbackReason ?? 'no reason given'})`);
        }
        if (info.pipelineCalls !== 1) throw new Error(`expected one pipeline call, got ${info.pipelineCalls}`);
        return out;
      };
      return {
        first: async () => toOutput(await call(current), current),
        step: async () => {
          const out = await call(current);
          if (next) current = next(out, current);
        },
        dispose: () => compiled.destroy(),
        ran: () => {
          const info = compiled.lastRun();
          if (!info) return '';
          return threads === undefined
            ? `${compiled.kernels.length} kernels, ${info.backend === 'webgl2-native' ? 'shapegrad\'s GLSL' : "gpu.js"} ${info.backend}/${info.executorKind}`
            : `${compiled.kernels.length} kernels, native wasm SIMD, ${threads} thread${threads > 1 ? 's' : ''} (${info.executorKind})${nativeOutputs(backend) === 'float32' ? ', float32 out' : ''}`;
        },
      };
    },
  };
}

/** The float64 reference interpreter (synchronous), as a candidate. */
export function shapegradReference<A extends readonly unknown[], R>(
  program: Program<A, R>,
  args: () => readonly unknown[],
  toOutput: (out: sg.ValuesOf<R>, args: readonly unknown[]) => Output,
  plan?: Partial<TimingPlan>,
): Candidate {
  return {
    impl: 'shapegrad',
    backend: 'reference',
    detail: 'float64 interpreter',
    ...(plan === undefined ? {} : { plan }),
    prepare: async () => {
      const a = args();
      const call = () => (sg.run as (p: Program<A, R>, ...xs: readonly unknown[]) => sg.ValuesOf<R>)(program, ...a);
      return { first: async () => toOutput(call(), a), step: async () => void call(), dispose: () => {} };
    },
  };
}

/** One float64 reference run, as an oracle (not timed as a row). */
export function referenceOracle<A extends readonly unknown[], R>(
  program: Program<A, R>,
  args: readonly unknown[],
  toOutput: (out: sg.ValuesOf<R>, args: readonly unknown[]) => Output,
): { oracle: Oracle; ms: number } {
  const t0 = performance.now();
  const out = (sg.run as (p: Program<A, R>, ...xs: readonly unknown[]) => sg.ValuesOf<R>)(program, ...args);
  const ms = performance.now() - t0;
  return { oracle: { name: 'shapegrad/reference (float64)', output: toOutput(out, args) }, ms };
}

