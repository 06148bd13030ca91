/**
 * npm run bench: shapegrad side by side with TensorFlow.js 4.22 (wasm, cpu)
 * and jax-js (wasm) in one run, on the workloads of issue 7:
 *   (a) matmul 128 and 512
 *   (b) a tiny-XCiT training step (forward, backward, SGD)
 *   (c) DINO loss + 3-iteration Sinkhorn, forward and backward
 * Every implementation is checked against shapegrad (the float64 reference
 * where it runs in reasonable time, else shapegrad compiled) before it is
 * timed; a disagreement is an error, never a row.
 *
 * Every row has a time budget (--budget): each workload runs in a child
 * process (child.ts) that is killed when a row overruns, the row is reported
 * as timed out, and the rows left run in a fresh child (budget.ts).
 *
 * Usage: node dist/bench/main.js [--json] [--quick] [--only matmul,xcit,dino]
 *        [--no-reference] [--no-xvfb] [--impl shapegrad,tfjs,jax-js] [--budget SECONDS]
 * The table (or, with --json, the JSON array) goes to stdout; progress to stderr.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { supervise, type TaskOutcome } from './budget.js';
import { ensureDisplay, stopDisplay } from './display.js';
import { addRatios, peerName, timedOutRow, type BenchRow } from './harness.js';
import { workloadTitle, type TaskInfo, type TaskResult, type WorkloadJob, type WorkloadName } from './jobs.js';
import { fmt, table as renderTable } from './table.js';
import type { BrowserRun } from './browser/run.js';
import { formatTarget, type BrowserBenchRow } from './browser/rows.js';
import { parseArgs, USAGE, UsageError, type Options } from './args.js';
import { findTorchPython, type PythonProbe } from './pytorch.js';

const progress = (s: string) => process.stderr.write(`[bench] ${s}\n`);

const referenceRuns: { workload: string; ms: number }[] = [];

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

/** What isolating the rows cost: per child process, ms from fork to ready (Node start, imports, peers). */
const isolation = { children: 0, readyMs: [] as number[] };

/** One workload in child processes, each row within the budget. */
async function runWorkload(name: WorkloadName, opts: Options, announce: boolean, rows: BenchRow[], errors: string[], backends?: readonly string[], pytorch?: PythonProbe): Promise<void> {
  const budgetMs = opts.budgetS * 1000;
  const own: BenchRow[] = [];
  const onOutcome = (o: TaskOutcome<TaskResult>) => {
    const info = o.info as TaskInfo;
    if (o.status === 'done') {
      const r = o.result;
      if (r.kind === 'row') own.push(r.row);
      else if (r.kind === 'error') errors.push(r.message);
      else referenceRuns.push({ workload: r.workload, ms: r.ms });
    } else if (o.status === 'timed out') {
      own.push(timedOutRow(info, opts.budgetS, o.phase));
      progress(`  ${peerName(info).padEnd(22)} TIMED OUT after ${opts.budgetS} s${o.phase ? ` in the ${o.phase}` : ''}: its process was killed; the rows left run in a new one`);
    } else {
      errors.push(`${info.workload}: ${peerName(info)} crashed: its process ${o.reason}${o.phase ? ` in the ${o.phase}` : ''}`);
      progress(`  ${peerName(info).padEnd(22)} CRASHED: its process ${o.reason}${o.phase ? ` in the ${o.phase}` : ''}; the rows left run in a new one`);
    }
  };
  const job: WorkloadJob =
    backends === undefined
      ? { workload: name, quick: opts.quick, impls: opts.impls, reference: opts.reference, announce, ...(pytorch === undefined ? {} : { pytorch }) }
      : { workload: name, quick: opts.quick, impls: ['shapegrad'], reference: false, announce, backends };
  const r = await supervise<WorkloadJob, TaskResult>({ script: CHILD, job, budgetMs, onOutcome });
  isolation.children += r.children;
  isolation.readyMs.push(...r.readyMs.filter((ms) => Number.isFinite(ms)));
  if (r.failure !== undefined) {
    errors.push(`${workloadTitle(name)}: ${r.failure}`);
    progress(`  ERROR ${workloadTitle(name)}: ${r.failure}`);
  }
  // Ratios within each workload (the matmul child runs two).
  for (const w of new Set(own.map((row) => row.workload))) addRatios(own.filter((row) => row.workload === w));
  rows.push(...own);
}

// ---- output ----------------------------------------------------------------

const RATIO_COLUMNS = ['tfjs/wasm', 'tfjs/cpu', 'jax-js/wasm', 'pytorch/cpu-1t', 'pytorch/cpu-2t', 'shapegrad/webasm', 'shapegrad/wasm-1t'];

/** The ratio columns of the peers that have a timed row in this run. */
const table = (rows: readonly BenchRow[]) => renderTable(rows, { ratios: RATIO_COLUMNS.filter((c) => rows.some((r) => r.status === 'ok' && peerName(r) === c)) });

function notes(rows: readonly BenchRow[], errors: readonly string[], budgetS: number, skipped?: string): string {
  const lines = [
    '',
    'x PEER: this row\'s median / the peer\'s median (above 1: slower than the peer).',
    'compile: set-up (compile, jit, variables) + first call - median: the one-time cost of building kernels or tracing.',
    `Each row had ${budgetS} s (--budget); a row past it was killed and the rows after it ran in a new process.`,
    '',
  ];
  for (const r of rows) {
    if (r.status !== 'ok') {
      lines.push(`${r.workload} | ${peerName(r)}: ${r.detail ? `${r.detail}; ` : ''}${r.message.replace('timed out', 'TIMED OUT')}: no timing, no check`);
      continue;
    }
    const cut = r.cut_by_budget ? '; repetitions cut short by the budget' : '';
    const check = r.check.against === null ? 'oracle' : `loss rel err ${r.check.loss_rel_err!.toExponential(1)}, max tensor err ${r.check.tensor_err!.toExponential(1)} vs ${r.check.against}`;
    lines.push(`${r.workload} | ${peerName(r)}: ${r.detail ? `${r.detail}; ` : ''}setup ${fmt(r.setup_ms)} ms, first call ${fmt(r.first_call_ms)} ms; ${check}${cut}`);
  }
  for (const ref of referenceRuns) lines.push(`${ref.workload} | shapegrad/reference: one float64 run as the oracle, ${(ref.ms / 1000).toFixed(1)} s (not timed as a row)`);
  if (skipped !== undefined) lines.push('', `PyTorch rows skipped: ${skipped}`);
  if (errors.length > 0) lines.push('', `${errors.length} error(s), no row for these (details on stderr):`, ...errors.map((e) => `  ERROR ${e.split('\n')[0]}`));
  return lines.join('\n');
}

// ---- --browser and --gpu ---------------------------------------------------

const BROWSER_RATIO_COLUMNS = ['shapegrad/wasm-1t', 'tfjs/webgl', 'tfjs/wasm', 'tfjs/webgpu', 'jax-js/wasm', 'jax-js/webgpu'];

function browserTable(rows: readonly BrowserBenchRow[]): string {
  return renderTable(rows, {
    ratios: BROWSER_RATIO_COLUMNS,
    lead: [{ header: 'where', cell: (r) => r.where }],
    extra: [{ header: 'x node', cell: (r) => (r.chromium_over_node === null ? '' : r.chromium_over_node.toFixed(2)) }],
  });
}

function browserNotes(run: BrowserRun, budgetS: number, adapterString: (env: NonNullable<BrowserRun['env']>) => string): string {
  const lines = [
    '',
    "x PEER: this row's median / the peer's median, within the same workload and place (above 1: slower than the peer).",
    "x node: this Chromium row's median / the same shapegrad backend's median in Node, in the same run.",
    'compile: set-up (compile, jit, variables) + first call - median: the one-time cost of building kernels or tracing.',
    `Each Chromium row had ${budgetS} s; past it the browser was closed and the rows after it ran in a fresh one (${run.launches} browser(s) launched).`,
    `Chromium ${run.browserVersion}; WebGL2: ${run.env?.webgl2?.renderer ?? 'none'}; WebGPU: ${run.env ? adapterString(run.env) : 'none'}.`,
    '',
  ];
  for (const r of run.rows) {
    const where = `${r.workload} | ${peerName(r)} (${r.where})`;
    if (r.status !== 'ok') {
      lines.push(`${where}: ${r.renderer ? `${r.renderer}; ` : ''}${r.message.replace('timed out', 'TIMED OUT')}: no timing, no check`);
      continue;
    }
    const check = r.check.against === null ? 'oracle' : `loss rel err ${r.check.loss_rel_err!.toExponential(1)}, max tensor err ${r.check.tensor_err!.toExponential(1)} vs ${r.check.against}`;
    lines.push(`${where}: ${[r.detail, r.renderer].filter((x) => x).join('; ')}${r.detail || r.renderer ? '; ' : ''}setup ${fmt(r.setup_ms)} ms, first call ${fmt(r.first_call_ms)} ms; ${check}${r.cut_by_budget ? '; repetitions cut short by the budget' : ''}`);
  }
  if (run.conformance) lines.push('', `conformance on webgpu: ${run.conformance.passed} golden files passed, ${run.conformance.failed} failed (${(run.conformance.ms / 1000).toFixed(1)} s)`);
  if (run.targets.length > 0) lines.push('', 'targets (issue 12):', ...run.targets.map((t) => `  ${formatTarget(t)}`));
  if (run.errors.length > 0) lines.push('', `${run.errors.length} error(s), no row for these:`, ...run.errors.map((e) => `  ERROR ${e.split('\n')[0]}`));
  return lines.join('\n');
}

async function browserMain(opts: Options): Promise<number> {
  progress(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${os.platform()} ${os.arch()}, ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const t0 = performance.now();
  const mode = opts.gpu ? 'gpu' : 'browser';
  // Loaded here only: the Node bench needs neither playwright nor esbuild.
  const { adapterString, DEFAULT_BROWSER_BUDGET_S, runBrowserBench } = await import('./browser/run.js');
  const run = await runBrowserBench(opts, mode, {
    progress,
    nodeRows: async (name, backends) => {
      const rows: BenchRow[] = [];
      const errors: string[] = [];
      await runWorkload(name, opts, false, rows, errors, backends);
      return { rows, errors };
    },
  });
  if ('refused' in run) {
    process.stderr.write(
      `[bench] --gpu: refused: found ${run.refused} (Chromium ${run.browserVersion}; WebGPU adapter: ${adapterString(run.env)}; WebGL2 renderer: ${run.env.webgl2?.renderer ?? 'none'}). ` +
        'This is a CPU emulation of a GPU, not a GPU; give --allow-swiftshader to run anyway (to test the path).\n',
    );
    return 1;
  }
  progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  for (const t of run.targets) progress(formatTarget(t));
  if (opts.json) process.stdout.write(`${JSON.stringify(run.rows, null, 2)}\n`);
  else process.stdout.write(`${browserTable(run.rows)}\n${browserNotes(run, opts.budgetGiven ? opts.budgetS : DEFAULT_BROWSER_BUDGET_S, adapterString)}\n`);
  for (const e of run.errors) process.stderr.write(`[bench] ERROR ${e}\n`);
  return run.errors.length > 0 ? 1 : 0;
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (parsed === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const opts = parsed;
  if (opts.browser || opts.gpu) return browserMain(opts);
  // Interrupted: stop Xvfb, and (through process.exit's 'exit' hooks) the workload's child process.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      progress(`${signal}: stopping`);
      stopDisplay();
      process.exit(130);
    });
  }
  progress(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${os.platform()} ${os.arch()}, ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (opts.xvfb && opts.impls.includes('shapegrad')) progress(`display: ${await ensureDisplay()}`);
  progress(`each row within ${opts.budgetS} s (--budget); one child process per workload, a new one after a row that timed out`);
  let pytorch: PythonProbe | undefined;
  if (opts.impls.includes('pytorch')) {
    pytorch = findTorchPython();
    progress('python' in pytorch ? `PyTorch ${pytorch.torch} (${pytorch.python}): rows pytorch/cpu-1t and cpu-2t, OPENBLAS_NUM_THREADS=1` : `PyTorch rows skipped: ${pytorch.skipped}`);
  }
  const rows: BenchRow[] = [];
  const errors: string[] = [];
  const t0 = performance.now();
  for (const [i, name] of opts.only.entries()) await runWorkload(name, opts, i === 0, rows, errors, undefined, pytorch);
  const timedOut = rows.filter((r) => r.status !== 'ok').length;
  progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}${timedOut > 0 ? `; ${timedOut} row(s) timed out` : ''}`);
  const ready = isolation.readyMs;
  progress(
    `isolation: ${isolation.children} child process(es), each ready (Node start, imports, peers loaded) in ${ready.map((ms) => ms.toFixed(0)).join(', ')} ms: ${(ready.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s in all`,
  );
  if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(`${table(rows)}\n${notes(rows, errors, opts.budgetS, pytorch !== undefined && 'skipped' in pytorch ? pytorch.skipped : undefined)}\n`);
  for (const e of errors) process.stderr.write(`[bench] ERROR ${e}\n`);
  stopDisplay();
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`[bench] ${e instanceof UsageError ? e.message : ((e as Error).stack ?? String(e))}\n`);
    stopDisplay();
    process.exit(2);
  },
);
