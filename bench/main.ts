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
 * Usage: node dist/bench/main.js [--json] [--quick] [--only matmul,xcit,dino]
 *        [--no-reference] [--no-xvfb] [--impl shapegrad,tfjs,jax-js]
 * The table (or, with --json, the JSON array) goes to stdout; progress to stderr.
 */
import os from 'node:os';
import { availableBackends, type GpujsBackend } from '../src/index.js';
import type { TimingPlan } from './common.js';
import { ensureDisplay, stopDisplay } from './display.js';
import { nativeBackend, peerName, runCandidates, type Candidate, type Oracle, type Row, type ShapegradBackend } from './harness.js';
import { loadJax, loadTf, type JaxPeer, type TfPeer } from './peers.js';
import { jaxMatmul, matmulData, shapegradMatmul, tfMatmul } from './workloads/matmul.js';
import { dinoData, dinoReferenceOracle, jaxDino, shapegradDino, tfDino } from './workloads/dino.js';
import { jaxXcit, shapegradXcit, tfXcit, xcitData, xcitReferenceOracle } from './workloads/xcit.js';

const WORKLOADS = ['matmul', 'xcit', 'dino'] as const;
type WorkloadName = (typeof WORKLOADS)[number];
const IMPLS = ['shapegrad', 'tfjs', 'jax-js'] as const;

interface Options {
  readonly json: boolean;
  readonly quick: boolean;
  readonly only: readonly WorkloadName[];
  readonly impls: readonly string[];
  readonly reference: boolean;
  readonly xvfb: boolean;
}

const USAGE = `usage: node dist/bench/main.js [options]
  --json            print the rows as a JSON array on stdout (progress stays on stderr)
  --quick           fewer repetitions, and no float64 reference run for xcit and dino
  --only LIST       workloads to run, comma-separated: ${WORKLOADS.join(', ')} (default: all)
  --impl LIST       implementations: ${IMPLS.join(', ')} (default: all)
  --no-reference    skip the float64 reference check of the xcit and dino workloads
  --no-xvfb         do not start Xvfb for headlessgl when no DISPLAY is set
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
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '--quick') quick = true;
    else if (a === '--no-reference') reference = false;
    else if (a === '--no-xvfb') xvfb = false;
    else if (a === '--only') only = listArg(args, i++, a, WORKLOADS) as WorkloadName[];
    else if (a === '--impl') impls = listArg(args, i++, a, IMPLS);
    else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new UsageError(`unknown option ${a}\n${USAGE}`);
  }
  return { json, quick, only, impls, reference: reference && !quick, xvfb };
}

const progress = (s: string) => process.stderr.write(`[bench] ${s}\n`);

function plans(quick: boolean): Record<WorkloadName, TimingPlan> {
  return quick
    ? {
        matmul: { warmup: 1, repeats: 10, minRepeats: 3, budgetMs: 1500 },
        xcit: { warmup: 0, repeats: 3, minRepeats: 2, budgetMs: 6000 },
        dino: { warmup: 0, repeats: 3, minRepeats: 2, budgetMs: 4000 },
      }
    : {
        matmul: { warmup: 2, repeats: 30, minRepeats: 5, budgetMs: 4000 },
        xcit: { warmup: 1, repeats: 7, minRepeats: 3, budgetMs: 20000 },
        dino: { warmup: 1, repeats: 7, minRepeats: 3, budgetMs: 12000 },
      };
}

interface Peers {
  readonly tf: TfPeer | undefined;
  readonly jax: JaxPeer | undefined;
  /** shapegrad's compiled backends: native wasm on 1 and 2 threads, then each gpu.js backend present. */
  readonly shapegrad: readonly ShapegradBackend[];
}

async function loadPeers(opts: Options): Promise<Peers> {
  let tf: TfPeer | undefined;
  let jax: JaxPeer | undefined;
  if (opts.impls.includes('tfjs')) {
    try {
      tf = await loadTf();
      progress(`TensorFlow.js ${tf.tf.version.tfjs}: ${tf.backends.map((b) => `${b.name} (${b.detail})`).join(', ') || 'no backend'}`);
    } catch (e) {
      progress(`TensorFlow.js did not load: ${(e as Error).message}`);
    }
  }
  if (opts.impls.includes('jax-js')) {
    try {
      jax = await loadJax();
      progress(`jax-js: devices ${jax.devices.join(', ')}; wasm ${jax.threaded ? 'multi-threaded' : 'single-threaded (Node has no global Worker)'}`);
    } catch (e) {
      progress(`jax-js did not load: ${(e as Error).message}`);
    }
  }
  const gpujs = opts.impls.includes('shapegrad') ? (['webasm', 'cpu', 'headlessgl'] as GpujsBackend[]).filter((b) => availableBackends().includes(b)) : [];
  if (opts.impls.includes('shapegrad')) progress(`shapegrad: native wasm on 1 and 2 threads (${os.availableParallelism()} available); gpu.js backends here: ${gpujs.join(', ')}`);
  return { tf, jax, shapegrad: opts.impls.includes('shapegrad') ? [nativeBackend(1), nativeBackend(2), ...gpujs] : [] };
}

function peerCandidates(
  peers: Peers,
  tf: (peer: TfPeer, backend: 'wasm' | 'cpu', detail: string) => Candidate,
  jax: (peer: JaxPeer, detail: string) => Candidate,
): Candidate[] {
  const out: Candidate[] = [];
  if (peers.tf) for (const b of peers.tf.backends) out.push(tf(peers.tf, b.name, b.detail));
  if (peers.jax) out.push(jax(peers.jax, peers.jax.threaded ? 'multi-threaded' : '1 thread'));
  return out;
}

async function runWorkload(name: WorkloadName, opts: Options, peers: Peers, rows: Row[], errors: string[]): Promise<void> {
  const plan = plans(opts.quick)[name];
  const collect = (r: { rows: Row[]; errors: string[] }) => {
    rows.push(...r.rows);
    errors.push(...r.errors);
  };
  if (name === 'matmul') {
    for (const n of [128, 512]) {
      const workload = `matmul ${n}`;
      progress(`${workload}: float32 [${n}, ${n}] x [${n}, ${n}], product read back to the host`);
      const d = matmulData(n);
      const candidates: Candidate[] = [];
      if (opts.impls.includes('shapegrad')) candidates.push(shapegradMatmul(d, 'reference'), ...peers.shapegrad.map((b) => shapegradMatmul(d, b)));
      candidates.push(...peerCandidates(peers, (p, b, det) => tfMatmul(d, p, b, det), (p, det) => jaxMatmul(d, p, det)));
      collect(await runCandidates(workload, candidates, plan, progress));
    }
    return;
  }
  const workload = name === 'xcit' ? 'xcit train step' : 'dino+sinkhorn fwd+bwd';
  progress(
    name === 'xcit'
      ? `${workload}: batch 64, 28x28x1, patch 4 (49 tokens), dim 64, 4 heads, 4 XCA blocks, MLP x4, exact GELU, mean pool, head 10, CE, SGD`
      : `${workload}: batch 256, 4096 prototypes, 2 global + 4 local crops, DINO loss + SwAV swapped prediction (Sinkhorn x3); loss, grad, center`,
  );
  const t0 = performance.now();
  const xd = name === 'xcit' ? xcitData() : undefined;
  const dd = name === 'dino' ? dinoData() : undefined;
  progress(`  inputs generated and program traced in ${(performance.now() - t0).toFixed(0)} ms (${(xd?.program ?? dd!.program).graph.nodes.length} graph nodes)`);
  let oracle: Oracle | undefined;
  if (opts.reference && opts.impls.includes('shapegrad')) {
    progress('  float64 reference interpreter: one run as the oracle (too slow to time as a row)...');
    const r = xd ? xcitReferenceOracle(xd) : dinoReferenceOracle(dd!);
    oracle = r.oracle;
    progress(`  shapegrad/reference      one run ${(r.ms / 1000).toFixed(1)} s, loss ${r.oracle.output.loss}`);
    referenceRuns.push({ workload, ms: r.ms });
  } else {
    progress('  float64 reference skipped (--quick, --no-reference or no shapegrad): rows are checked against the first one that runs');
  }
  const candidates: Candidate[] = [];
  if (opts.impls.includes('shapegrad')) candidates.push(...peers.shapegrad.map((b) => (xd ? shapegradXcit(xd, b) : shapegradDino(dd!, b))));
  candidates.push(
    ...(xd
      ? peerCandidates(peers, (p, b, det) => tfXcit(xd, p, b, det), (p, det) => jaxXcit(xd, p, det))
      : peerCandidates(peers, (p, b, det) => tfDino(dd!, p, b, det), (p, det) => jaxDino(dd!, p, det))),
  );
  collect(await runCandidates(workload, candidates, plan, progress, oracle === undefined ? {} : { oracle }));
}

const referenceRuns: { workload: string; ms: number }[] = [];

// ---- output ----------------------------------------------------------------

const RATIO_COLUMNS = ['tfjs/wasm', 'tfjs/cpu', 'jax-js/wasm', 'shapegrad/webasm', 'shapegrad/wasm-1t'];

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function table(rows: readonly Row[]): string {
  const header = ['workload', 'impl', 'backend', 'median ms', 'min-max ms', 'n', 'compile ms', ...RATIO_COLUMNS.map((c) => `x ${c}`)];
  const lines = rows.map((r) => [
    r.workload,
    r.impl,
    r.backend,
    fmt(r.median_ms),
    `${fmt(r.min_ms)}-${fmt(r.max_ms)}`,
    String(r.repeats),
    fmt(r.compile_estimate_ms),
    ...RATIO_COLUMNS.map((c) => (r.ratio_vs[c] === undefined ? '' : `${r.ratio_vs[c]!.toFixed(2)}`)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: readonly string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [row(header), widths.map((w) => '-'.repeat(w)).join('  ')];
  let last = '';
  for (let i = 0; i < rows.length; i++) {
    if (rows[i]!.workload !== last && last !== '') out.push('');
    last = rows[i]!.workload;
    out.push(row(lines[i]!));
  }
  return out.join('\n');
}

function notes(rows: readonly Row[], errors: readonly string[]): string {
  const lines = ['', 'x PEER: this row\'s median / the peer\'s median (above 1: slower than the peer).', 'compile: set-up (compile, jit, variables) + first call - median: the one-time cost of building kernels or tracing.', ''];
  for (const r of rows) {
    const check = r.check.against === null ? 'oracle' : `loss rel err ${r.check.loss_rel_err!.toExponential(1)}, max tensor err ${r.check.tensor_err!.toExponential(1)} vs ${r.check.against}`;
    lines.push(`${r.workload} | ${peerName(r)}: ${r.detail ? `${r.detail}; ` : ''}setup ${fmt(r.setup_ms)} ms, first call ${fmt(r.first_call_ms)} ms; ${check}`);
  }
  for (const ref of referenceRuns) lines.push(`${ref.workload} | shapegrad/reference: one float64 run as the oracle, ${(ref.ms / 1000).toFixed(1)} s (not timed as a row)`);
  if (errors.length > 0) lines.push('', `${errors.length} error(s), no row for these (details on stderr):`, ...errors.map((e) => `  ERROR ${e.split('\n')[0]}`));
  return lines.join('\n');
}

async function main(): Promise<number> {
  const opts = parseArgs(process.argv.slice(2));
  // stdout carries only the table or the JSON: route library chatter (TensorFlow.js greets on console.log) to stderr.
  console.log = console.info = console.debug = (...a: unknown[]) => console.error(...a);
  progress(`${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, ${os.platform()} ${os.arch()}, ${new Date().toISOString()}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (opts.xvfb && opts.impls.includes('shapegrad')) progress(`display: ${await ensureDisplay()}`);
  const peers = await loadPeers(opts);
  const rows: Row[] = [];
  const errors: string[] = [];
  const t0 = performance.now();
  for (const name of opts.only) await runWorkload(name, opts, peers, rows, errors);
  progress(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (opts.json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  else process.stdout.write(`${table(rows)}\n${notes(rows, errors)}\n`);
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
