/**
 * One workload of the bench, in a child process started by main.ts through
 * supervise() (budget.ts). Each row (one implementation on one backend), and
 * the float64 reference run that serves as the oracle, is one task with its
 * own time budget; the parent kills this process when a task overruns and
 * starts another for the rest, which gets the oracle handed on and skips the
 * tasks already settled.
 */
import { childJob } from './budget.js';
import os from 'node:os';
import { availableBackends, type GpujsBackend } from '../src/index.js';
import { nodePlans } from './plans.js';
import { nativeBackend, nativeThreads, peerName, runCandidate, type Candidate, type Oracle, type ShapegradBackend } from './harness.js';
import { referenceTaskName, taskName, workloadTitle, type TaskInfo, type TaskResult, type WorkloadJob, type WorkloadName } from './jobs.js';
import { loadJax, loadTf, type JaxPeer, type TfBackend, type TfPeer } from './peers.js';
import { jaxMatmul, matmulData, matmulPeer, shapegradMatmul, tfMatmul } from './workloads/matmul.js';
import { dinoData, dinoReferenceOracle, jaxDino, shapegradDino, tfDino } from './workloads/dino.js';
import { jaxXcit, shapegradXcit, tfXcit, xcitData, xcitPeer, xcitReferenceOracle } from './workloads/xcit.js';
import { dinoStepData, dinoStepPeer, shapegradDinoStep } from './workloads/dino-step.js';
import { pytorchCandidate, type PeerWorkload } from './pytorch.js';

/** Threads of the PyTorch rows (cpu-1t, cpu-2t), as shapegrad's wasm-1t and wasm-2t. */
const PYTORCH_THREADS = [1, 2] as const;

/** Handed from child to child: the oracle of each workload, once known. */
interface State {
  readonly oracles: Readonly<Record<string, Oracle>>;
}

const progress = (s: string) => process.stderr.write(`[bench] ${s}\n`);

interface Peers {
  readonly tf: TfPeer | undefined;
  readonly jax: JaxPeer | undefined;
  /** shapegrad's compiled backends: native wasm on 1 and 2 threads, then each gpu.js backend present. */
  readonly shapegrad: readonly ShapegradBackend[];
}

async function loadPeers(impls: readonly string[], announce: boolean): Promise<Peers> {
  const say = announce ? progress : () => {};
  let tf: TfPeer | undefined;
  let jax: JaxPeer | undefined;
  if (impls.includes('tfjs')) {
    try {
      tf = await loadTf();
      say(`TensorFlow.js ${tf.tf.version.tfjs}: ${tf.backends.map((b) => `${b.name} (${b.detail})`).join(', ') || 'no backend'}`);
    } catch (e) {
      progress(`TensorFlow.js did not load: ${(e as Error).message}`);
    }
  }
  if (impls.includes('jax-js')) {
    try {
      jax = await loadJax();
      say(`jax-js: devices ${jax.devices.join(', ')}; wasm ${jax.threaded ? 'multi-threaded' : 'single-threaded (Node has no global Worker)'}`);
    } catch (e) {
      progress(`jax-js did not load: ${(e as Error).message}`);
    }
  }
  const gpujs = impls.includes('shapegrad') ? (['webasm', 'cpu', 'headlessgl'] as GpujsBackend[]).filter((b) => availableBackends().includes(b)) : [];
  if (impls.includes('shapegrad')) say(`shapegrad: native wasm on 1 and 2 threads (${os.availableParallelism()} available); gpu.js backends here: ${gpujs.join(', ')}`);
  return { tf, jax, shapegrad: impls.includes('shapegrad') ? [nativeBackend(1), nativeBackend(2), ...gpujs] : [] };
}

function peerCandidates(
  peers: Peers,
  tf: (peer: TfPeer, backend: TfBackend, detail: string) => Candidate,
  jax: (peer: JaxPeer, detail: string) => Candidate,
): Candidate[] {
  const out: Candidate[] = [];
  if (peers.tf) for (const b of peers.tf.backends) out.push(tf(peers.tf, b.name, b.detail));
  if (peers.jax) out.push(jax(peers.jax, peers.jax.threaded ? 'multi-threaded' : '1 thread'));
  return out;
}

async function main(): Promise<void> {
  const ctx = await childJob<WorkloadJob>();
  const job = ctx.job;
  // Library chatter (TensorFlow.js greets on console.log) goes to stderr, like the progress.
  console.log = console.info = console.debug = (...a: unknown[]) => console.error(...a);
  const loaded = await loadPeers(job.impls, job.announce && ctx.attempt === 0);
  const peers: Peers = job.backends === undefined ? loaded : { ...loaded, shapegrad: loaded.shapegrad.filter((b) => job.backends!.includes(b)) };
  await ctx.ready();
  if (ctx.attempt > 0) progress(`  (a fresh process, pid ${process.pid}, for the rows left: ready in ${performance.now().toFixed(0)} ms)`);
  const oracles: Record<string, Oracle> = { ...((ctx.state as State | undefined)?.oracles ?? {}) };
  const plan = nodePlans(job.quick)[job.workload];
  const python = job.pytorch !== undefined && 'python' in job.pytorch ? job.pytorch.python : undefined;
  // PyTorch's rows of a workload, one per thread count (none without a Python with torch: the parent said why).
  const pytorchRows = (peer: () => PeerWorkload): Candidate[] => {
    if (python === undefined) return [];
    const w = peer();
    return PYTORCH_THREADS.map((t) => pytorchCandidate(python, t, w));
  };

  const handOn = async (workload: string, oracle: Oracle) => {
    oracles[workload] = oracle;
    const t0 = performance.now();
    await ctx.handOn({ oracles } satisfies State);
    const mb = Object.values(oracle.output.tensors).reduce((n, t) => n + ((t as Partial<Float64Array>).byteLength ?? t.length * 8), 0) / 2 ** 20;
    progress(`  (oracle handed to the parent for a possible later process: ${mb.toFixed(1)} MB in ${(performance.now() - t0).toFixed(0)} ms)`);
  };

  const runTasks = async (workload: string, candidates: readonly Candidate[]) => {
    for (const c of candidates) {
      const name = taskName(workload, c);
      if (ctx.skip.has(name)) continue;
      await ctx.task(name, { workload, impl: c.impl, backend: c.backend, detail: c.detail ?? '', row: true } satisfies TaskInfo);
      const r = await runCandidate(workload, c, { ...plan, ...c.plan }, progress, oracles[workload], undefined, {
        phase: (p) => ctx.phase(p),
        // Repetitions stop short of the budget; what remains is kept for dispose and the messages.
        deadline: performance.now() + ctx.budgetMs * 0.9,
      });
      if ('error' in r) {
        await ctx.result({ kind: 'error', message: r.error } satisfies TaskResult);
        continue;
      }
      if (oracles[workload] === undefined) await handOn(workload, { name: peerName(c), output: r.output });
      await ctx.result({ kind: 'row', row: r.row } satisfies TaskResult);
    }
  };

  if (job.workload === 'matmul') {
    for (const n of [128, 512]) {
      const workload = `matmul ${n}`;
      if (ctx.attempt === 0) progress(`${workload}: float32 [${n}, ${n}] x [${n}, ${n}], product read back to the host`);
      const d = matmulData(n);
      const candidates: Candidate[] = [];
      if (job.impls.includes('shapegrad')) {
        if (job.backends === undefined || job.backends.includes('reference')) candidates.push(shapegradMatmul(d, 'reference'));
        candidates.push(...peers.shapegrad.map((b) => shapegradMatmul(d, b)));
        // The same native rows with float32 outputs (issue 19, item 3): the product as computed, not widened.
        candidates.push(...peers.shapegrad.filter((b) => nativeThreads(b) !== undefined).map((b) => shapegradMatmul(d, `${b}-f32` as ShapegradBackend)));
      }
      candidates.push(...peerCandidates(peers, (p, b, det) => tfMatmul(d, p, b, det), (p, det) => jaxMatmul(d, p, det)));
      candidates.push(...pytorchRows(() => matmulPeer(d)));
      await runTasks(workload, candidates);
    }
    return ctx.end();
  }

  if (job.workload === 'dino-step') {
    const workload = workloadTitle(job.workload);
    if (ctx.attempt === 0) {
      progress(`${workload}: one trainer.step of the main job (DINO, XCiT-tiny, batch 32, 2 global views, head to 256, AdamW, EMA teacher, centre); checked over the first 3 steps (losses, centre)`);
      progress('  no float64 reference (a whole step on the interpreter): rows are checked against the first one that runs');
    }
    const d = dinoStepData();
    const candidates: Candidate[] = [];
    if (job.impls.includes('shapegrad')) for (const b of peers.shapegrad) {
      const threads = nativeThreads(b);
      if (threads !== undefined) candidates.push(shapegradDinoStep(d, threads));
    }
    candidates.push(...pytorchRows(() => dinoStepPeer(d)));
    await runTasks(workload, candidates);
    return ctx.end();
  }

  const workload = workloadTitle(job.workload);
  if (ctx.attempt === 0) {
    progress(
      job.workload === 'xcit'
        ? `${workload}: batch 64, 28x28x1, patch 4 (49 tokens), dim 64, 4 heads, 4 XCA blocks, MLP x4, exact GELU, mean pool, head 10, CE, SGD`
        : `${workload}: batch 256, 4096 prototypes, 2 global + 4 local crops, DINO loss + SwAV swapped prediction (Sinkhorn x3); loss, grad, center`,
    );
  }
  const t0 = performance.now();
  const xd = job.workload === 'xcit' ? xcitData() : undefined;
  const dd = job.workload === 'dino' ? dinoData() : undefined;
  progress(`  inputs generated and program traced in ${(performance.now() - t0).toFixed(0)} ms (${(xd?.program ?? dd!.program).graph.nodes.length} graph nodes)`);

  const refName = referenceTaskName(workload);
  if (job.reference && job.impls.includes('shapegrad') && oracles[workload] === undefined && !ctx.skip.has(refName)) {
    await ctx.task(refName, { workload, impl: 'shapegrad', backend: 'reference', detail: 'float64 interpreter, one run as the oracle (not a timed row)', row: false } satisfies TaskInfo);
    await ctx.phase('float64 reference run');
    progress('  float64 reference interpreter: one run as the oracle (too slow to time as a row)...');
    try {
      const r = xd ? xcitReferenceOracle(xd) : dinoReferenceOracle(dd!);
      progress(`  shapegrad/reference      one run ${(r.ms / 1000).toFixed(1)} s, loss ${r.oracle.output.loss}`);
      await handOn(workload, r.oracle);
      await ctx.result({ kind: 'reference', workload, ms: r.ms, loss: r.oracle.output.loss } satisfies TaskResult);
    } catch (e) {
      progress(`  shapegrad/reference      ERROR ${(e as Error).message}`);
      await ctx.result({ kind: 'error', message: `${workload}: the float64 reference failed: ${(e as Error).stack ?? String(e)}` } satisfies TaskResult);
    }
  } else if (oracles[workload] === undefined && ctx.attempt === 0) {
    progress('  float64 reference skipped (--quick, --no-reference or no shapegrad): rows are checked against the first one that runs');
  }
  const candidates: Candidate[] = [];
  if (job.impls.includes('shapegrad')) candidates.push(...peers.shapegrad.map((b) => (xd ? shapegradXcit(xd, b) : shapegradDino(dd!, b))));
  candidates.push(
    ...(xd
      ? peerCandidates(peers, (p, b, det) => tfXcit(xd, p, b, det), (p, det) => jaxXcit(xd, p, det))
      : peerCandidates(peers, (p, b, det) => tfDino(dd!, p, b, det), (p, det) => jaxDino(dd!, p, det))),
  );
  if (xd) candidates.push(...pytorchRows(() => xcitPeer(xd)));
  await runTasks(workload, candidates);
  return ctx.end();
}

main().catch((e: unknown) => {
  process.stderr.write(`[bench] child: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
