/**
 * The page: controls, live charts (SVG from sg.plot), and `window.demo`, the
 * hook the browser test drives. Training runs in a dedicated Worker
 * (worker.ts), one per job; Stop terminates it.
 */
// The SVG plots only (sg.plot), not the whole library: the page itself computes nothing.
import * as plot from '../../dist/src/plot/index.js';
import { backendNames, modelNames, type BackendName, type DinoJob, type Job, type ModelName, type Ran, type Report, type SpiralsJob } from './protocol.js';

const $ = <T extends HTMLElement = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`page: no element #${id}`);
  return el as T;
};

/**
 * Defaults per backend, chosen from measurements in Chromium without a GPU (docs/browser.md).
 * XCiT (1168 kernels per step) is the model whose k-NN accuracy rises within a few hundred
 * steps, and it has class attention to draw: on wasm (batch 32, ~170 images/s) and on cpu
 * (batch 8, ~8 images/s). ResMLP (354 kernels) on webgl2 and webgpu: there, without a GPU,
 * Chromium runs on SwiftShader, a CPU emulation of a GPU, whose shader compiler takes minutes
 * over XCiT's step; ResMLP's loss moves within a minute, its k-NN accuracy hardly does.
 */
const DEFAULTS: Readonly<Record<BackendName, { model: ModelName; batchSize: number; steps: number; knnEvery: number }>> = {
  wasm: { model: 'xcit-tiny', batchSize: 32, steps: 600, knnEvery: 200 },
  'webgl2-native': { model: 'xcit-tiny', batchSize: 8, steps: 300, knnEvery: 100 },
  webgl2: { model: 'resmlp-tiny', batchSize: 8, steps: 300, knnEvery: 100 },
  webgpu: { model: 'resmlp-tiny', batchSize: 8, steps: 300, knnEvery: 100 },
  cpu: { model: 'xcit-tiny', batchSize: 8, steps: 200, knnEvery: 100 },
};
const OUT_DIM = 256; // DINO head's prototypes K (the trainer's default): a uniform output has loss log K

// ---- state of the current run, drawn by render() ----
interface DinoView {
  backend: BackendName;
  model: ModelName;
  batchSize: number;
  steps: number;
  knnEvery: number;
  losses: [number, number][];
  knn: [number, number][];
  imagesPerSecond: number;
  ran?: Ran;
  kernels?: number;
  compileSeconds?: number;
  reference?: number;
  attention?: string;
  status: string;
}
interface SpiralsView {
  backend: BackendName;
  steps: number;
  points?: Float64Array;
  labels?: Float64Array;
  extent: number;
  side: number;
  grid?: Float64Array;
  losses: [number, number][];
  accuracy: number;
  ran?: Ran;
  status: string;
}
let dino: DinoView | undefined;
let spiralsView: SpiralsView | undefined;
/** The running worker of each kind of job, and how to end its promise. */
const running = new Map<Job['kind'], { worker: Worker; stop: () => void }>();

// ---- controls ----
const backendSelect = $<HTMLSelectElement>('backend');
const modelSelect = $<HTMLSelectElement>('model');
const batchSelect = $<HTMLSelectElement>('batch');
const stepsSelect = $<HTMLSelectElement>('steps');
const fill = (select: HTMLSelectElement, values: readonly (string | number)[]) => {
  select.replaceChildren(...values.map((v) => new Option(String(v), String(v))));
};
fill(backendSelect, backendNames);
fill(modelSelect, modelNames);
fill(batchSelect, [8, 16, 32, 64]);
fill(stepsSelect, [30, 100, 200, 300, 600, 1000, 3000]);
const applyDefaults = () => {
  const d = DEFAULTS[backendSelect.value as BackendName];
  modelSelect.value = d.model;
  batchSelect.value = String(d.batchSize);
  stepsSelect.value = String(d.steps);
};
backendSelect.addEventListener('change', applyDefaults);
applyDefaults();

$('train').addEventListener('click', () => {
  const backend = backendSelect.value as BackendName;
  void trainDino({ backend, model: modelSelect.value as ModelName, batchSize: Number(batchSelect.value), steps: Number(stepsSelect.value) }).catch(() => undefined);
});
$('spirals-start').addEventListener('click', () => void trainSpirals({ backend: backendSelect.value as BackendName }).catch(() => undefined));
$('stop').addEventListener('click', () => stopAll());

function stopAll(): void {
  for (const r of [...running.values()]) r.stop();
  if (dino && !dino.status.startsWith('done')) dino.status = `stopped at step ${dino.losses.length}`;
  if (spiralsView && !spiralsView.status.startsWith('done')) spiralsView.status = 'stopped';
  updateButtons();
  render();
}

const updateButtons = () => {
  ($('stop') as HTMLButtonElement).disabled = running.size === 0;
};

/** Run one job in a fresh worker (ending the one of the same kind); every report goes to `on`; resolves when the job is done. */
function runJob(job: Job, on: (r: Report) => void): Promise<void> {
  running.get(job.kind)?.stop();
  const worker = new Worker(new URL('./train-worker.js', import.meta.url), { type: 'module' });
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: Error) => {
      worker.terminate();
      if (running.get(job.kind)?.worker === worker) running.delete(job.kind);
      updateButtons();
      if (error) reject(error);
      else resolve();
    };
    running.set(job.kind, { worker, stop: () => finish(new Error('stopped')) });
    updateButtons();
    worker.onmessage = (e: MessageEvent<Report>) => {
      const r = e.data;
      on(r);
      scheduleRender();
      if (r.kind === 'done') finish();
      if (r.kind === 'error') finish(new Error(r.message));
    };
    worker.onerror = (e) => {
      on({ kind: 'error', message: `worker: ${e.message}` });
      scheduleRender();
      finish(new Error(e.message));
    };
    worker.postMessage(job);
  });
}

export interface TrainOptions {
  readonly backend: BackendName;
  readonly steps?: number;
  readonly model?: ModelName;
  readonly batchSize?: number;
  /** k-NN and attention maps every this many steps (and at 0 and the end); 0: none. */
  readonly knnEvery?: number;
  /** Also run the first step on the float64 reference interpreter (a few seconds). */
  readonly reference?: boolean;
  readonly seed?: number;
}

export interface TrainResult {
  readonly losses: number[];
  readonly referenceLoss?: number;
  readonly knn: [number, number][];
  readonly imagesPerSecond: number;
  readonly ran?: Ran;
  readonly kernels?: number;
}

async function trainDino(o: TrainOptions): Promise<TrainResult> {
  const d = DEFAULTS[o.backend];
  const job: DinoJob = {
    kind: 'dino',
    backend: o.backend,
    model: o.model ?? d.model,
    batchSize: o.batchSize ?? d.batchSize,
    steps: o.steps ?? d.steps,
    knnEvery: o.knnEvery ?? d.knnEvery,
    seed: o.seed ?? 0,
    reference: o.reference ?? false,
  };
  backendSelect.value = job.backend;
  modelSelect.value = job.model;
  batchSelect.value = String(job.batchSize);
  if ([...stepsSelect.options].some((opt) => opt.value === String(job.steps))) stepsSelect.value = String(job.steps);
  const view: DinoView = { backend: job.backend, model: job.model, batchSize: job.batchSize, steps: job.steps, knnEvery: job.knnEvery, losses: [], knn: [], imagesPerSecond: 0, status: 'starting' };
  dino = view;
  render();
  const started = performance.now();
  try {
    await runJob(job, (r) => {
      switch (r.kind) {
        case 'status':
          view.status = r.text;
          break;
        case 'compiled':
          view.kernels = r.kernels;
          view.compileSeconds = r.seconds;
          break;
        case 'step':
          view.losses.push([r.step, r.loss]);
          view.imagesPerSecond = r.imagesPerSecond;
          view.ran = r.ran;
          view.status = 'training';
          break;
        case 'knn':
          view.knn.push([r.step, r.top1]);
          break;
        case 'attention':
          view.attention = r.svg;
          break;
        case 'reference':
          view.reference = r.loss;
          break;
        case 'done':
          view.status = `done: ${r.steps} steps in ${((performance.now() - started) / 1000).toFixed(0)} s`;
          break;
        case 'error':
          view.status = `error: ${r.message}`;
          break;
        default:
          break;
      }
    });
  } finally {
    render();
  }
  return {
    losses: view.losses.map((p) => p[1]),
    knn: view.knn,
    imagesPerSecond: view.imagesPerSecond,
    ...(view.reference === undefined ? {} : { referenceLoss: view.reference }),
    ...(view.ran === undefined ? {} : { ran: view.ran }),
    ...(view.kernels === undefined ? {} : { kernels: view.kernels }),
  };
}

export interface SpiralsOptions {
  readonly backend: BackendName;
  readonly steps?: number;
}

async function trainSpirals(o: SpiralsOptions): Promise<{ losses: number[]; accuracy: number; ran?: Ran }> {
  const job: SpiralsJob = { kind: 'spirals', backend: o.backend, steps: o.steps ?? 600, hidden: 32, learningRate: 0.5 };
  const view: SpiralsView = { backend: job.backend, steps: job.steps, extent: 1, side: 1, losses: [], accuracy: 0, status: 'starting' };
  spiralsView = view;
  render();
  try {
    await runJob(job, (r) => {
      if (r.kind === 'spirals-data') Object.assign(view, { points: r.points, labels: r.labels, extent: r.extent, side: r.side });
      else if (r.kind === 'spirals') Object.assign(view, { grid: r.grid, accuracy: r.accuracy, ran: r.ran, status: 'training' }), view.losses.push([r.step, r.loss]);
      else if (r.kind === 'status') view.status = r.text;
      else if (r.kind === 'done') view.status = `done: ${r.steps} steps in ${r.seconds.toFixed(1)} s`;
      else if (r.kind === 'error') view.status = `error: ${r.message}`;
    });
  } finally {
    render();
  }
  return { losses: view.losses.map((p) => p[1]), accuracy: view.accuracy, ...(view.ran === undefined ? {} : { ran: view.ran }) };
}

// ---- drawing ----
let pending = false;
function scheduleRender(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    render();
  });
}

const SMOOTH = 20;
/** The mean of the last n points at each point (from the n-th on), to show the trend of a noisy loss. */
function movingMean(points: readonly [number, number][], n: number): [number, number][] {
  const out: [number, number][] = [];
  let sum = 0;
  points.forEach(([x, y], i) => {
    sum += y - (i >= n ? points[i - n]![1] : 0);
    if (i >= n - 1) out.push([x, sum / n]);
  });
  return out;
}

const ranText = (r: Ran | undefined) => (r === undefined ? '' : `${r.backend} (${r.executorKind}${r.threads === undefined ? '' : `, ${r.threads} threads`})`);
const fmt = (x: number, digits: number) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

function render(): void {
  if (dino) {
    const d = dino;
    const last = d.losses[d.losses.length - 1];
    const facts = [
      `DINO, ${d.model}, batch ${d.batchSize}`,
      last ? `step ${last[0]} / ${d.steps}` : '',
      last ? `loss ${fmt(last[1], 4)}` : '',
      d.losses.length > 1 ? `${fmt(d.imagesPerSecond, 1)} images/s` : '',
      d.ran ? `ran on ${ranText(d.ran)}` : '',
      d.kernels === undefined ? '' : `${d.kernels} kernels`,
    ].filter((s) => s !== '');
    $('dino-facts').textContent = facts.join(' · ');
    $('dino-status').textContent = d.status;
    $('dino-reference').textContent =
      d.reference === undefined || d.losses.length === 0 ? '' : `first loss ${fmt(d.losses[0]![1], 6)} on ${d.backend} (float32), ${fmt(d.reference, 6)} on the float64 reference interpreter`;
    $('loss').innerHTML = plot.lineChart({
      title: `DINO loss (${d.model} on ${d.backend})`,
      xLabel: 'step',
      yLabel: 'loss',
      width: 560,
      height: 320,
      xMin: 0,
      xMax: Math.max(d.steps, 1),
      series: [
        { name: 'loss', points: d.losses, color: '#9ecae1' },
        { name: `mean of ${SMOOTH} steps`, points: movingMean(d.losses, SMOOTH), color: plot.PALETTE[0] },
      ],
      references: [{ name: 'log K (uniform output)', y: Math.log(OUT_DIM) }],
    });
    const random = d.knn[0];
    $('knn').innerHTML = d.knnEvery === 0 ? '<p class="note">(k-NN evaluation is off for this run.)</p>' : plot.lineChart({
      title: 'k-NN top-1 on the teacher\u2019s features',
      xLabel: 'step',
      yLabel: 'top-1 (%)',
      width: 560,
      height: 320,
      xMin: 0,
      xMax: Math.max(d.steps, 1),
      series: [{ name: 'DINO teacher', points: d.knn, markers: true }],
      references: random ? [{ name: 'random network (step 0)', y: random[1] }] : [],
    });
    $('attention').innerHTML = d.attention ?? `<p class="note">${d.model === 'xcit-tiny' ? 'Class-attention maps appear with the first k-NN evaluation.' : 'ResMLP has no attention; pick xcit-tiny to see where the class token looks.'}</p>`;
  }
  if (spiralsView) {
    const s = spiralsView;
    const last = s.losses[s.losses.length - 1];
    $('spirals-facts').textContent = [last ? `step ${last[0]} / ${s.steps}` : '', last ? `loss ${fmt(last[1], 4)}` : '', last ? `accuracy ${(100 * s.accuracy).toFixed(1)}%` : '', s.ran ? `ran on ${ranText(s.ran)}` : '', s.status]
      .filter((t) => t !== '')
      .join(' · ');
    $('boundary').innerHTML = boundarySvg(s);
    $('spirals-loss').innerHTML = plot.lineChart({ title: 'cross-entropy', xLabel: 'step', width: 300, height: 240, xMin: 0, yMin: 0, series: [{ name: 'loss', points: s.losses }], legend: false });
  }
}

/** A colour `#rrggbb` mixed with white: amount 0 is white, 1 the colour (opaque, so that cells do not show seams). */
function tint(color: string, amount: number): string {
  const mix = (i: number) => Math.round(255 + (parseInt(color.slice(i, i + 2), 16) - 255) * amount);
  return `rgb(${mix(1)},${mix(3)},${mix(5)})`;
}

/** The decision boundary: each grid cell tinted by p(class 1), the training points on top. */
function boundarySvg(s: SpiralsView): string {
  const size = 300;
  const parts: string[] = [];
  const [c0, c1] = [plot.PALETTE[0], plot.PALETTE[1]];
  if (s.grid) {
    const cell = size / s.side;
    for (let r = 0; r < s.side; r++) {
      for (let c = 0; c < s.side; c++) {
        const p = s.grid[r * s.side + c]!;
        parts.push(`<rect x="${(c * cell).toFixed(2)}" y="${(r * cell).toFixed(2)}" width="${(cell + 0.5).toFixed(2)}" height="${(cell + 0.5).toFixed(2)}" fill="${tint(p > 0.5 ? c1 : c0, 0.08 + 0.5 * Math.abs(p - 0.5))}"/>`);
      }
    }
  }
  if (s.points && s.labels) {
    const at = (v: number) => ((v + s.extent) / (2 * s.extent)) * size;
    for (let i = 0; i < s.labels.length; i++) {
      parts.push(`<circle cx="${at(s.points[2 * i]!).toFixed(1)}" cy="${(size - at(s.points[2 * i + 1]!)).toFixed(1)}" r="3" fill="${s.labels[i] === 1 ? c1 : c0}" stroke="white" stroke-width="0.8"/>`);
    }
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}" viewBox="0 0 ${size} ${size}"><rect width="${size}" height="${size}" fill="white" stroke="#ccc"/>${parts.join('')}</svg>`;
}

// ---- what this browser offers ----
async function describeEnvironment(): Promise<string> {
  const facts = [`cross-origin isolated: ${crossOriginIsolated ? 'yes' : 'no (the wasm backend runs on one thread)'}`, `${navigator.hardwareConcurrency} cores`];
  const gl = document.createElement('canvas').getContext('webgl2');
  if (gl) {
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    facts.push(`WebGL2: ${info ? String(gl.getParameter(info.UNMASKED_RENDERER_WEBGL)) : 'yes'}`);
  } else facts.push('WebGL2: no');
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string; description?: string } } | null> } }).gpu;
  const adapter = gpu ? await gpu.requestAdapter().catch(() => null) : null;
  facts.push(`WebGPU: ${adapter ? [adapter.info?.vendor, adapter.info?.architecture, adapter.info?.description].filter((s) => s).join(' ') || 'yes' : 'no adapter'}`);
  return facts.join(' · ');
}
void describeEnvironment().then((text) => {
  $('env').textContent = text;
  if (/SwiftShader/i.test(text)) $('env').textContent += ' \u2014 SwiftShader is a CPU emulation of a GPU: webgl2 and webgpu run on the CPU here.';
});

// ---- the test hook ----
declare global {
  interface Window {
    demo: {
      train(o: TrainOptions): Promise<TrainResult>;
      spirals(o: SpiralsOptions): Promise<{ losses: number[]; accuracy: number; ran?: Ran }>;
      stop(): void;
    };
  }
}
window.demo = { train: trainDino, spirals: trainSpirals, stop: stopAll };
