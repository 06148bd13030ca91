/**
 * Cheaper calls (issue 19, item 3), measured paired: every variant of a
 * workload runs in this one process, in alternating rounds (the order rotates
 * each round), so the machine's other work falls on all of them alike.
 *
 *   node dist/bench/calls.js [--rounds 12] [--calls 20] [--only matmul|carry]
 *
 * matmul n (128, 512): shapegrad wasm-1t with float64 outputs (the default),
 * with float32 outputs, and TensorFlow.js wasm (tf.matMul, data()); the inputs
 * are Float32Arrays for all. With SHAPEGRAD_BASELINE=<path to another build's
 * dist/src/index.js>, that build's wasm-1t joins the rounds as "before". carry: training steps per second of a compiled
 * step with the parameters (and momenta) passed in and read out on every call,
 * against the same step compiled with them carried inside the module.
 */
import os from 'node:os';
import * as sg from '../src/index.js';
import { loadTf } from './peers.js';
import { matmulData, matmulProgram } from './workloads/matmul.js';
import { xcitData } from './workloads/xcit.js';
import { momentumStep } from './workloads/momentum-step.js';

interface Variant {
  readonly name: string;
  /** One call (awaited when it returns a promise). */
  readonly call: () => unknown;
}

interface Summary {
  readonly name: string;
  readonly min: number;
  readonly median: number;
  readonly n: number;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Rounds of `calls` timed calls per variant, the variants' order rotating each round; two untimed calls per variant per round first. */
async function paired(variants: readonly Variant[], rounds: number, calls: number): Promise<Summary[]> {
  const times = variants.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < variants.length; k++) {
      const i = (k + r) % variants.length;
      const v = variants[i]!;
      for (let w = 0; w < 2; w++) await v.call();
      for (let c = 0; c < calls; c++) {
        const t0 = performance.now();
        await v.call();
        times[i]!.push(performance.now() - t0);
      }
    }
  }
  return variants.map((v, i) => ({ name: v.name, min: Math.min(...times[i]!), median: median(times[i]!), n: times[i]!.length }));
}

function print(title: string, rows: readonly Summary[], unit: 'ms' | 'steps/s' = 'ms'): void {
  console.log(`\n${title}`);
  for (const r of rows) {
    const extra = unit === 'steps/s' ? `  (${(1000 / r.median).toFixed(1)} steps/s at the median)` : '';
    console.log(`  ${r.name.padEnd(34)} min ${r.min.toFixed(3)} ms  median ${r.median.toFixed(3)} ms  n=${r.n}${extra}`);
  }
}

/** Another build of shapegrad (a commit before this one), for before/after in the same rounds. */
async function baseline(): Promise<typeof sg | undefined> {
  const at = process.env['SHAPEGRAD_BASELINE'];
  return at ? ((await import(at)) as typeof sg) : undefined;
}

async function matmul(rounds: number, calls: number): Promise<void> {
  const before = await baseline();
  const peer = await loadTf().catch(() => undefined);
  if (peer?.backends.some((b) => b.name === 'wasm')) await peer.use('wasm');
  for (const n of [128, 512]) {
    const d = matmulData(n);
    const program = matmulProgram(n);
    const wide = sg.compileWasm(program, { threads: 1 });
    const narrow = sg.compileWasm(program, { threads: 1, outputs: 'float32' });
    const variants: Variant[] = [
      { name: 'shapegrad wasm-1t (float64 out)', call: () => wide.runSync(d.a, d.b) },
      { name: 'shapegrad wasm-1t-f32 (float32 out)', call: () => narrow.runSync(d.a, d.b) },
    ];
    if (before !== undefined) {
      const old = before.compileWasm(before.trace((a, b) => before.einsum('I K, K J -> I J', a, b), before.spec(['I', 'K'], [n, n], 'a'), before.spec(['K', 'J'], [n, n], 'b')), { threads: 1 });
      variants.unshift({ name: 'before: wasm-1t (SHAPEGRAD_BASELINE)', call: () => old.runSync(d.a, d.b) });
    }
    if (peer !== undefined && peer.tf.getBackend() === 'wasm') {
      const { tf } = peer;
      const a = tf.tensor2d(d.a, [n, n]);
      const b = tf.tensor2d(d.b, [n, n]);
      variants.push({
        name: `tfjs wasm (${peer.backends.find((x) => x.name === 'wasm')!.detail})`,
        call: async () => {
          const c = tf.matMul(a, b);
          await c.data();
          c.dispose();
        },
      });
    }
    print(`matmul ${n} (${n * n} floats per operand), per call`, await paired(variants, rounds, n >= 512 ? Math.max(3, calls >> 2) : calls));
    wide.destroy();
    narrow.destroy();
  }
}


const values = (n: number, seed: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + seed) * 0.3);

async function carry(rounds: number, calls: number): Promise<void> {
  for (const threads of [1, 2]) {
    // The small step: 64 -> 256 -> 64, batch 32 (33 k parameters, as many momenta).
    const [B, C, H, D] = [32, 64, 256, 64];
    const p = momentumStep(B, C, H, D, 0.01);
    const x = values(B * C, 1);
    const y = values(B * D, 2);
    const init = { w1: values(C * H, 3), w2: values(H * D, 4) };
    const zeros = { w1: new Float32Array(C * H), w2: new Float32Array(H * D) };
    const plain = sg.compileWasm(p, { threads });
    const carried = sg.compileWasmCarried(p, { threads, carry: { params: 0, momenta: 1 } });
    carried.setState({ params: init, momenta: zeros });
    let state: { params: unknown; momenta: unknown } = { params: init, momenta: zeros };
    const small: Variant[] = [
      {
        name: `small step, state passed (${threads}t)`,
        call: () => {
          const out = plain.runSync(state.params as never, state.momenta as never, x, y);
          state = out;
        },
      },
      { name: `small step, state carried (${threads}t)`, call: () => carried.runSync(x, y) },
    ];
    print(`small training step (${B}x${C} -> ${H} -> ${D}, SGD with momentum), ${threads} thread${threads > 1 ? 's' : ''}, per step`, await paired(small, rounds, calls), 'steps/s');
    plain.destroy();
    carried.destroy();

    // The bench's xcit training step: parameters in and out of every call, or carried.
    const d = xcitData();
    const xp = sg.compileWasm(d.program, { threads });
    const xc = sg.compileWasmCarried(d.program, { threads, carry: { params: 0 } });
    xc.setState({ params: d.params.values } as never);
    let params: unknown = d.params.values;
    const xcit: Variant[] = [
      {
        name: `xcit step, parameters passed (${threads}t)`,
        call: () => {
          params = (xp.runSync as unknown as (...a: unknown[]) => { params: unknown })(params, d.images, d.labels).params;
        },
      },
      { name: `xcit step, parameters carried (${threads}t)`, call: () => (xc.runSync as unknown as (...a: unknown[]) => unknown)(d.images, d.labels) },
    ];
    print(`xcit bench step, ${threads} thread${threads > 1 ? 's' : ''}, per step`, await paired(xcit, Math.max(2, rounds >> 2), Math.max(2, calls >> 3)), 'steps/s');
    xp.destroy();
    xc.destroy();
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const rounds = flag('--rounds', 12);
  const calls = flag('--calls', 20);
  console.log(`node ${process.version}, ${os.availableParallelism()} cores; load average at start ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (only === undefined || only === 'matmul') await matmul(rounds, calls);
  if (only === undefined || only === 'carry') await carry(rounds, calls);
  console.log(`\nload average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  process.exit(0);
}

void main();
