import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sg from '../../../src/index.js';
import type { Tensor } from '../../../src/index.js';
import { compileWasm } from '../../../src/compile/wasm/program.js';
import { splitRange, type Schedule } from '../../../src/compile/wasm/schedule.js';

const everySplit = { splitMin: 0, syncCost: 0 };

/**
 * Runs a schedule's threads as far as their waits allow (a split kernel's first thread takes all its chunks)
 * and returns the kernels in the order they completed; fails on a deadlock, or on a kernel that reads
 * another's output before it is done. `reads[k]`: the kernels whose outputs kernel k reads.
 */
function simulate(s: Schedule, reads: readonly (readonly number[])[]): number[] {
  const done = new Array<number>(s.parts.length).fill(0);
  const next = s.tasks.map(() => 0);
  const finished: number[] = [];
  for (let moved = true; moved; ) {
    moved = false;
    s.tasks.forEach((ts, t) => {
      const task = ts[next[t]!];
      if (task === undefined) return;
      for (let j = 0; j < task.waits.length; j += 2) if (done[task.waits[j]!]! < task.waits[j + 1]!) return;
      for (const d of reads[task.kernel]!) assert.equal(done[d], s.parts[d], `kernel ${task.kernel} on thread ${t} reads kernel ${d} before it is done, without waiting for it`);
      if (done[task.kernel]! < s.parts[task.kernel]!) finished.push(task.kernel);
      done[task.kernel] = s.parts[task.kernel]!;
      next[t]!++;
      moved = true;
    });
  }
  const stuck = s.tasks.map((ts, t) => (next[t]! < ts.length ? `thread ${t} at kernel ${ts[next[t]!]!.kernel}` : '')).filter(Boolean);
  assert.deepEqual(stuck, [], `deadlock: ${stuck.join(', ')}`);
  return finished;
}

describe('compile/wasm/schedule', () => {
  it('splits a loop at multiples of its step, covering it once, as evenly as the step allows', () => {
    for (const [extent, step, parts] of [[512, 4, 2], [13, 4, 3], [7, 1, 3], [3, 4, 2], [64, 8, 5]] as const) {
      const ranges = splitRange({ extent, step }, parts);
      let next = 0;
      for (const [a, b] of ranges) {
        assert.equal(a, next, `[${extent}/${step}/${parts}] contiguous`);
        assert.ok(a % step === 0 && b > a, `[${extent}/${step}/${parts}] aligned, non-empty`);
        next = b;
      }
      assert.equal(next, extent);
      const tiles = ranges.map(([a, b]) => Math.ceil((b - a) / step));
      assert.ok(Math.max(...tiles) - Math.min(...tiles) <= 1, `[${extent}/${step}/${parts}] even: ${tiles}`);
    }
  });

  it('gives every kernel to the threads once, in program order, waiting only on earlier kernels another thread took part in', () => {
    const p = sg.trace(
      (x: Tensor<['I', 'K']>, w: Tensor<['K', 'J']>) => {
        const h = sg.tanh(sg.einsum('I K, K J -> I J', x, w));
        return { y: sg.softmax(sg.einsum('I J, K J -> I K', h, w), 'K'), s: sg.sum(x) };
      },
      sg.spec(['I', 'K'], [64, 32], 'x'),
      sg.spec(['K', 'J'], [32, 48], 'w'),
    );
    for (const threads of [2, 3]) {
      const c = compileWasm(p, { threads });
      const s = c.schedule;
      c.kernels.forEach((_, k) => {
        const tasks = s.tasks.flatMap((ts) => ts.filter((t) => t.kernel === k));
        const chunks = tasks[0]!.chunks;
        // A split kernel: every thread gets the same chunks to take from; else one thread runs it whole.
        if (chunks) assert.ok(tasks.length === threads && tasks.every((t) => t.chunks === chunks || JSON.stringify(t.chunks) === JSON.stringify(chunks)));
        else assert.equal(tasks.length, 1);
        const ranges = (chunks ? Array.from({ length: chunks.length / 2 }, (_, i) => [chunks[2 * i]!, chunks[2 * i + 1]!] as const) : tasks.map((t) => [t.start, t.end] as const)).sort((a, b) => a[0] - b[0]);
        assert.equal(ranges.length, s.parts[k]);
        assert.equal(ranges[0]![0], 0);
        for (let i = 1; i < ranges.length; i++) assert.equal(ranges[i]![0], ranges[i - 1]![1]);
        assert.equal(ranges[ranges.length - 1]![1], c.kernels[k]!.sizes[0] ?? 1);
      });
      assert.ok(s.parts.some((n) => n > 1), 'some kernel is split');
      for (const ts of s.tasks) {
        ts.forEach((t, i) => {
          if (i > 0) assert.ok(t.kernel > ts[i - 1]!.kernel);
          for (let j = 0; j < t.waits.length; j += 2) assert.ok(t.waits[j]! < t.kernel && t.waits[j + 1] === s.parts[t.waits[j]!]);
        });
      }
      // Run as the threads would, every kernel completes once, after every kernel it reads.
      const producer = new Map(c.kernels.map((k, i) => [k.output, i]));
      const reads = c.kernels.map((k) => k.inputs.map((b) => producer.get(b)).filter((d): d is number => d !== undefined));
      assert.deepEqual(simulate(s, reads).sort((a, b) => a - b), c.kernels.map((_, k) => k));
      c.destroy();
    }
  });
});

describe('compile/wasm: threads', function () {
  this.timeout(120000);

  // A matmul whose sizes are not multiples of the tile, a softmax, a layer norm and a gradient.
  const p = sg.trace(
    (x: Tensor<['I', 'K']>, w: Tensor<['K', 'J']>) => {
      const loss = (ws: Tensor<['K', 'J']>) => sg.sum(sg.mul(sg.layerNorm(sg.gelu(sg.einsum('I K, K J -> I J', x, ws)), 'J'), sg.softmax(sg.einsum('I K, K J -> I J', x, ws), 'I')));
      return sg.valueAndGrad(loss)(w);
    },
    sg.spec(['I', 'K'], [37, 64], 'x'),
    sg.spec(['K', 'J'], [64, 36], 'w'),
  );
  const x = Float32Array.from({ length: 37 * 64 }, (_, i) => Math.sin(i * 0.31));
  const w = Float32Array.from({ length: 64 * 36 }, (_, i) => Math.cos(i * 0.17) * 0.2);

  it('gives bit-identical results on 1, 2 and 3 threads, split or not', async () => {
    const one = compileWasm(p, { threads: 1 });
    const want = one.runSync(x, w);
    assert.equal(one.lastRun()!.executorKind, 'native-sync');
    const ref = sg.run(p, x, w);
    assert.ok(Math.abs(want[0].data[0]! - ref[0].data[0]!) <= 1e-4 * Math.abs(ref[0].data[0]!));
    for (const threads of [2, 3]) {
      for (const schedule of [undefined, everySplit]) {
        const c = compileWasm(p, { threads, ...(schedule ? { schedule } : {}) });
        for (let call = 0; call < 3; call++) {
          const got = call % 2 === 0 ? c.runSync(x, w) : await c.run(x, w);
          assert.deepEqual(got[0].data, want[0].data);
          assert.ok(got[1].data.every((v, i) => Object.is(v, want[1].data[i])), `${threads} threads, call ${call}: the gradient differs from 1 thread`);
          assert.equal(c.lastRun()!.executorKind, 'native-threads');
          assert.equal(c.lastRun()!.threads, threads);
        }
        c.destroy();
      }
    }
  });

  it("dispatches every thread to workers and awaits them without blocking, where the caller may not block (a browser's main thread)", async () => {
    const want = compileWasm(p, { threads: 1 }).runSync(x, w);
    for (const threads of [2, 3]) {
      const c = compileWasm(p, { threads, dispatch: 'workers', schedule: everySplit });
      for (let call = 0; call < 3; call++) {
        const got = await c.run(x, w);
        assert.ok(got[1].data.every((v, i) => Object.is(v, want[1].data[i])), `${threads} threads, call ${call}`);
        assert.deepEqual(got[0].data, want[0].data);
      }
      assert.throws(() => c.runSync(x, w), /use run/);
      c.destroy();
    }
  });

  it("keeps Node alive while a dispatch 'workers' call is in flight (a script's last await settles)", () => {
    const index = new URL('../../../src/index.js', import.meta.url).href;
    const script = `
      import * as sg from ${JSON.stringify(index)};
      const p = sg.trace((x) => sg.mul(x, 2), sg.spec(['I'], [4], 'x'));
      const c = sg.compile(p, { backend: 'wasm', wasm: { dispatch: 'workers', threads: 2 } });
      const r = await c.run(Float32Array.from([1, 2, 3, 4]));
      console.log(JSON.stringify(Array.from(r.data)));
    `;
    // A file, not --input-type=module -e: the pool's workers inherit the process's execArgv.
    const file = join(mkdtempSync(join(tmpdir(), 'shapegrad-')), 'run.mjs');
    writeFileSync(file, script);
    const r = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60000 });
    assert.equal(r.status, 0, `exit code ${r.status}; stderr: ${r.stderr}`);
    assert.equal(r.stdout.trim(), '[2,4,6,8]');
  });

  it("lets concurrent run() calls with dispatch 'workers' take turns, each with its own inputs", async () => {
    const double = sg.trace((x: Tensor<['I']>) => sg.mul(x, 2), sg.spec(['I'], [1], 'x'));
    const c = compileWasm(double, { threads: 2, dispatch: 'workers' });
    const got = await Promise.all([1, 2, 3, 4].map((v) => c.run(Float32Array.of(v))));
    assert.deepEqual(got.map((g) => g.data[0]), [2, 4, 6, 8]);
    c.destroy();
  });

  it('runs on one thread, saying why, when timing kernels one by one', () => {
    const c = compileWasm(p, { threads: 2, perKernel: true });
    c.runSync(x, w);
    assert.equal(c.lastRun()!.threads, 1);
    assert.match(c.lastRun()!.fallbackReason ?? '', /perKernel/);
    assert.equal(c.kernelTimes().length, c.kernels.length);
  });

  it('refuses a thread count that is not a positive integer', () => {
    assert.throws(() => compileWasm(p, { threads: 0 }), /threads must be a positive integer/);
  });
});
