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
import { IMPLS, WORKLOADS, workloadTitle, type TaskInfo, type TaskResult, type WorkloadJob, type WorkloadName } from './jobs.js';

/** Default time budget of one row, in seconds. */
export const DEFAULT_BUDGET_S = 120;

interface Options {
  readonly json: boolean;
  readonly quick: boolean;
  readonly only: readonly WorkloadName[];
  readonly impls: readonly string[];
  readonly reference: boolean;
  readonly xvfb: boolean;
  readonly budgetS: number;
}

const USAGE = `usage: node dist/bench/main.js [options]
  --json            print the rows as a JSON array on stdout (progress stays on stderr)
  --quick           fewer repetitions, and no float64 reference run for xcit and dino
  --only LIST       workloads to run, comma-separated: ${WORKLOADS.join(', ')} (default: all)
  --impl LIST       implementations: ${IMPLS.join(', ')} (default: all)
  --no-reference    skip the float64 reference check of the xcit and dino workloads
  --no-xvfb         do not start Xvfb for headlessgl when no DISPLAY is set
  --budget SECONDS  time budget of each row (set-up, first call, check and timing; also the
                    float64 reference run) (default: ${DEFAULT_BUDGET_S}); a row past it is killed and
                    reported as timed out, and the rows after it still run
`;

class UsageError extends Error {}

function listArg(args: readonly string[], i: number, flag: string, allowed: readonly string[]): string[] {
  const value = args[i + 1];
  if (value === undefined) throw new UsageError(`${flag} needs a value\n${USAGE}`);
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = items.filter((s) => !allowed.includes(s));
  if (bad.length > 0) throw new UsageError(`${flag}: unknown ${bad.join(', ')}; choose from ${allowed.join(', ')}`);
  return items;
}

function parseArgs(args: readonly string[]): Options {
  let json = false;
  let quick = false;
  let only: WorkloadName[] = [...WORKLOADS];
  let impls: string[] = [...IMPLS];
  let reference = true;
  let xvfb = true;
  let budgetS = DEFAULT_BUDGET_S;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '--quick') quick = true;
    else if (a === '--no-reference') reference = false;
    else if (a === '--no-xvfb') xvfb = false;
    else if (a === '--only') only = listArg(args, i++, a, WORKLOADS) as WorkloadName[];
    else if (a === '--impl') impls = listArg(args, i++, a, IMPLS);
    else if (a === '--budget') {
      const v = args[++i];
      budgetS = Number(v);
      if (v === undefined || v.trim() === '' || !Number.isFinite(budgetS) || budgetS <= 0) throw new UsageError(`--budget needs a number of seconds above 0, got ${v ?? 'nothing'}\n${USAGE}`);
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new UsageError(`unknown option ${a}\n${USAGE}`);
  }
  return { json, quick, only, impls, reference: reference && !quick, xvfb, budgetS };
}

const progress = (s: string) => process.stderr.write(`[bench] ${s}\n`);

const referenceRuns: { workload: string; ms: number }[] = [];

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

/** What isolating the rows cost: per child process, ms from fork to ready (Node start, imports, peers). */
const isolation = { children: 0, readyMs: [] as number[] };

/** One workload in child processes, each row within the budget. */
async function runWorkload(name: WorkloadName, opts: Options, announce: boolean, rows: BenchRow[], errors: string[]): Promise<void> {
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
  const job: WorkloadJob = { workload: name, quick: opts.quick, impls: opts.impls, reference: opts.reference, announce };
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

const RATIO_COLUMNS = ['tfjs/wasm', 'tfjs/cpu', 'jax-js/wasm', 'shapegrad/webasm', 'shapegrad/wasm-1t'];

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function table(rows: readonly BenchRow[]): string {
  const header = ['workload', 'impl', 'backend', 'median ms', 'min-max ms', 'n', 'compile ms', ...RATIO_COLUMNS.map((c) => `x ${c}`)];
  // A timed-out row has its message where the numbers would be (not counted in the column widths).
  const lines = rows.map((r) => r.status !== 'ok' ? [r.workload, r.impl, r.backend, r.message.replace('timed out', 'TIMED OUT')] : [
    r.workload,
    r.impl,
    r.backend,
    fmt(r.median_ms),
    `${fmt(r.min_ms)}-${fmt(r.max_ms)}`,
    String(r.repeats),
    fmt(r.compile_estimate_ms),
    ...RATIO_COLUMNS.map((c) => (r.ratio_vs[c] === undefined ? '' : `${r.ratio_vs[c]!.toFixed(2)}`)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.filter((l, j) => i < 3 || rows[j]!.status === 'ok').map((l) => l[i]!.length)));
  const row = (cells: readonly string[], timed = true) =>
    cells.map((c, i) => (!timed && i === 3 ? c : i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [row(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.workload !== last && last !== '') out.push('');
    last = rows[i]!.workload;
    out.push(row(lines[i]!, rows[i]!.status === 'ok'));
  }
  return out.join('\n');
}

function notes(rows: readonly BenchRow[], errors: readonly string[], budgetS: number): string {
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
  if (errors.length > 0) lines.push('', `${errors.length} error(s), no row for these (details on stderr):`, ...errors.map((e) => `  ERROR ${e.split('\n')[0]}`));
  return lines.join('\n');
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
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
  const rows: BenchRow[] = [];
  const errors: string[] = [];
  const t0 = performance.now();
  for (const [i, name] of opts.only.entries()) await runWorkload(name, opts, i === 0, rows, errors);
  const timedOut = rows.filter((r) => r.status !== 'ok').length;
  progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}${timedOut > 0 ? `; ${timedOut} row(s) timed out` : ''}`);
  const ready = isolation.readyMs;
  progress(
    `isolation: ${isolation.children} child process(es), each ready (Node start, imports, peers loaded) in ${ready.map((ms) => ms.toFixed(0)).join(', ')} ms: ${(ready.reduce((a, b) => a + b, 0) / 1000).toFixed(1)} s in all`,
  );
  if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(`${table(rows)}\n${notes(rows, errors, opts.budgetS)}\n`);
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
