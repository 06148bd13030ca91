/**
 * PyTorch as a peer of the bench: a Python with torch runs bench/pytorch/peer.py
 * as a child process, one per row. The workload's tensors go to it in a
 * temporary folder (job.json and float32 tensors.bin); it answers JSON lines on
 * stdout and times its own calls (a round trip to Node per call would be part
 * of a 0.2 ms matmul). Rows: pytorch/cpu-1t and pytorch/cpu-2t, with
 * torch.set_num_threads(N) and OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=N.
 *
 * Which Python: $SHAPEGRAD_PYTHON when set (and only it), else /usr/bin/python3
 * (Debian's python3-torch), else python3 on the PATH; the first that imports
 * torch. Without one the rows are skipped, saying why.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { summarise, type Timing, type TimingPlan } from './common.js';
import type { Candidate, Output, Prepared } from './harness.js';

/** The peer script, beside the compiled bench (dist/bench/pytorch.js -> bench/pytorch/peer.py in the source tree). */
export const PEER_SCRIPT = fileURLToPath(new URL('../../bench/pytorch/peer.py', import.meta.url));

/** A Python that imports torch, or why there is none. */
export type PythonProbe = { readonly python: string; readonly torch: string } | { readonly skipped: string };

/** The Pythons to try, in order: $SHAPEGRAD_PYTHON alone when set, else Debian's, then the PATH's. */
export function pythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const given = env['SHAPEGRAD_PYTHON'];
  if (given !== undefined && given.trim() !== '') return [given];
  return ['/usr/bin/python3', 'python3'];
}

/** The first Python of pythonCandidates that imports torch (one short child process each). */
export function findTorchPython(env: NodeJS.ProcessEnv = process.env): PythonProbe {
  const reasons: string[] = [];
  for (const python of pythonCandidates(env)) {
    const r = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 60_000, env: { ...env, OPENBLAS_NUM_THREADS: '1' } });
    if (r.error) reasons.push(`${python}: ${(r.error as NodeJS.ErrnoException).code ?? r.error.message}`);
    else if (r.status !== 0) reasons.push(`${python}: ${lastLine(r.stderr) || `exit status ${r.status}`}`);
    else return { python, torch: r.stdout.trim() };
  }
  const how = env['SHAPEGRAD_PYTHON'] ? 'SHAPEGRAD_PYTHON' : 'no SHAPEGRAD_PYTHON; tried Debian\'s python3-torch and python3 on the PATH';
  return { skipped: `no Python with torch (${how}): ${reasons.join('; ')}` };
}

const lastLine = (s: string): string => s.trim().split('\n').pop()?.trim() ?? '';

/** A float32 array for the peer, by name. */
export interface PeerTensor {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Writes job.json and tensors.bin into a new temporary folder; returns its path. */
export function writeJob(job: Record<string, unknown>, tensors: Readonly<Record<string, PeerTensor>>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'shapegrad-torch-'));
  const manifest: Record<string, { shape: readonly number[]; offset: number }> = {};
  let total = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) throw new Error(`pytorch peer: tensor ${name} has ${t.data.length} values for shape [${t.shape.join(', ')}]`);
    manifest[name] = { shape: t.shape, offset: total };
    total += n;
  }
  const all = new Float32Array(total);
  for (const [name, t] of Object.entries(tensors)) all.set(Array.from(t.data), manifest[name]!.offset);
  writeFileSync(path.join(dir, 'tensors.bin'), new Uint8Array(all.buffer));
  writeFileSync(path.join(dir, 'job.json'), JSON.stringify({ ...job, tensors: manifest }));
  return dir;
}

/** The peer's first line: what it runs on. */
export interface PeerReady {
  readonly ready: true;
  readonly setupMs: number;
  readonly torch: string;
  readonly threads: number;
  readonly interopThreads: number;
  readonly openblasThreads: string | null;
  readonly ompThreads: string | null;
  readonly allocator: string;
  readonly blas: string;
}

/** One JSON line from the peer; an {"error"} line or anything not JSON is thrown with the peer's words. */
export function parsePeerLine(line: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    throw new Error(`pytorch peer: expected a JSON line, got ${JSON.stringify(line.slice(0, 200))}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error(`pytorch peer: expected a JSON object, got ${line.slice(0, 200)}`);
  const o = v as Record<string, unknown>;
  if (typeof o['error'] === 'string') throw new Error(`pytorch peer: ${o['error']}`);
  return o;
}

/** The ready line, checked field by field. */
export function parseReady(o: Record<string, unknown>): PeerReady {
  const num = (k: string) => {
    if (typeof o[k] !== 'number' || !Number.isFinite(o[k])) throw new Error(`pytorch peer: the ready line needs a number ${k}, got ${JSON.stringify(o[k])}`);
    return o[k] as number;
  };
  const str = (k: string) => {
    if (typeof o[k] !== 'string') throw new Error(`pytorch peer: the ready line needs a string ${k}, got ${JSON.stringify(o[k])}`);
    return o[k] as string;
  };
  if (o['ready'] !== true) throw new Error(`pytorch peer: expected the ready line first, got ${JSON.stringify(o).slice(0, 200)}`);
  const optional = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : null);
  return { ready: true, setupMs: num('setupMs'), torch: str('torch'), threads: num('threads'), interopThreads: num('interopThreads'), openblasThreads: optional('openblasThreads'), ompThreads: optional('ompThreads'), allocator: str('allocator'), blas: str('blas') };
}

/** The reply to "time": its samples (ms) summarised, and whether the deadline cut them short. */
export function parseTiming(o: Record<string, unknown>): Timing & { readonly cut: boolean } {
  const s = o['samples'];
  if (!Array.isArray(s) || s.length === 0 || !s.every((x) => typeof x === 'number' && Number.isFinite(x) && x >= 0)) {
    throw new Error(`pytorch peer: expected timing samples (non-negative ms), got ${JSON.stringify(s)?.slice(0, 200)}`);
  }
  return { ...summarise(s as number[]), cut: o['cut'] === true };
}

/** The reply to "first": the loss, the scalars beside it and the output tensors read from out.bin. */
export function readFirst(o: Record<string, unknown>, dir: string): { loss: number; scalars: Record<string, unknown>; tensors: Record<string, Float32Array> } {
  if (typeof o['loss'] !== 'number') throw new Error(`pytorch peer: the first call's reply needs a loss, got ${JSON.stringify(o).slice(0, 200)}`);
  const manifest = o['tensors'] as Record<string, { shape: number[]; offset: number }> | undefined;
  if (typeof manifest !== 'object' || manifest === null) throw new Error('pytorch peer: the first call\'s reply lists no tensors');
  const buf = readFileSync(path.join(dir, 'out.bin'));
  const all = new Float32Array(buf.buffer, buf.byteOffset, Math.floor(buf.byteLength / 4));
  const tensors: Record<string, Float32Array> = {};
  for (const [name, e] of Object.entries(manifest)) {
    const n = e.shape.reduce((a, b) => a * b, 1);
    if (e.offset + n > all.length) throw new Error(`pytorch peer: out.bin holds ${all.length} values, ${name} needs ${n} at ${e.offset}`);
    tensors[name] = all.slice(e.offset, e.offset + n);
  }
  return { loss: o['loss'], scalars: o, tensors };
}

/** What a workload gives the peer: its job fields, its tensors, and how to turn the first reply into an Output. */
export interface PeerWorkload {
  readonly workload: 'dino-step' | 'xcit' | 'matmul';
  readonly job: Record<string, unknown>;
  readonly tensors: Readonly<Record<string, PeerTensor>>;
  readonly toOutput: (first: ReturnType<typeof readFirst>) => Output;
}

/** The row's backend name for N threads. */
export const pytorchBackend = (threads: number): string => `cpu-${threads}t`;

/** The thread and allocator settings of a row, as its detail says them. */
export function readyDetail(r: PeerReady): string {
  return `torch ${r.torch}, torch.set_num_threads(${r.threads}) (interop ${r.interopThreads}), OPENBLAS_NUM_THREADS=${r.openblasThreads ?? 'unset'}, OMP_NUM_THREADS=${r.ompThreads ?? 'unset'}, BLAS ${r.blas}, ${r.allocator}; eager mode`;
}

/** A row of PyTorch on `threads` threads for a workload. */
export function pytorchCandidate(python: string, threads: number, w: PeerWorkload): Candidate {
  return {
    impl: 'pytorch',
    backend: pytorchBackend(threads),
    prepare: async () => startPeer(python, threads, w),
  };
}

/** Debian's jemalloc (package libjemalloc2). */
export const JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2';

/**
 * The peer's environment: the thread settings, and jemalloc preloaded when SHAPEGRAD_PYTORCH_MALLOC
 * is `jemalloc` (glibc's malloc otherwise: on this machine kind PyTorch's DINO step was faster on it,
 * docs/benchmarks.md). The peer reports the allocator it found.
 */
export function peerEnv(threads: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const wanted = env['SHAPEGRAD_PYTORCH_MALLOC'];
  if (wanted !== undefined && wanted !== 'jemalloc' && wanted !== 'glibc') throw new Error(`SHAPEGRAD_PYTORCH_MALLOC must be jemalloc or glibc, not ${JSON.stringify(wanted)}`);
  if (wanted === 'jemalloc' && !existsSync(JEMALLOC)) throw new Error(`SHAPEGRAD_PYTORCH_MALLOC=jemalloc, but ${JEMALLOC} is missing (apt-get install libjemalloc2)`);
  const preload = wanted === 'jemalloc' ? { LD_PRELOAD: [JEMALLOC, env['LD_PRELOAD']].filter(Boolean).join(':') } : {};
  return { ...env, ...preload, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: String(threads), MKL_NUM_THREADS: String(threads) };
}

async function startPeer(python: string, threads: number, w: PeerWorkload): Promise<Prepared> {
  const dir = writeJob({ workload: w.workload, threads, ...w.job }, w.tensors);
  const child: ChildProcessWithoutNullStreams = spawn(python, [PEER_SCRIPT, dir], {
    env: peerEnv(threads),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise<string>((resolve) => {
    child.on('error', (e) => resolve(`could not start ${python}: ${e.message}`));
    child.on('exit', (code, signal) => resolve(`${python} exited (${signal ?? `status ${code}`})${stderr ? `: ${lastLine(stderr)}` : ''}`));
  });
  const next = async (): Promise<Record<string, unknown>> => {
    const r = await Promise.race([lines.next(), exited.then((why) => ({ done: true as const, value: why }))]);
    if (r.done) throw new Error(`pytorch peer: no reply: ${typeof r.value === 'string' ? r.value : await exited}`);
    return parsePeerLine(r.value as string);
  };
  const ask = async (cmd: Record<string, unknown>) => {
    child.stdin.write(`${JSON.stringify(cmd)}\n`);
    return next();
  };
  const cleanup = () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ready = parseReady(await next());
    let firstMs = NaN;
    return {
      first: async () => {
        const o = await ask({ cmd: 'first' });
        firstMs = typeof o['ms'] === 'number' ? o['ms'] : NaN;
        return w.toOutput(readFirst(o, dir));
      },
      step: async () => void (await ask({ cmd: 'time', plan: { warmup: 0, repeats: 1, minRepeats: 1, budgetMs: 0 } })),
      timeCalls: async (plan: TimingPlan, deadline: number) =>
        parseTiming(await ask({ cmd: 'time', plan: { ...plan, ...(Number.isFinite(deadline) ? { deadlineInS: Math.max(0, (deadline - performance.now()) / 1000) } : {}) } })),
      ownTimes: () => ({ setupMs: ready.setupMs, firstCallMs: firstMs }),
      dispose: cleanup,
      ran: () => readyDetail(ready),
    };
  } catch (e) {
    cleanup();
    throw e;
  }
}
