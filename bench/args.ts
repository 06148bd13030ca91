/**
 * The bench's command line (npm run bench -- ...), parsed without side
 * effects so that tests can call it: main.ts turns a UsageError into exit
 * status 2 with the usage on stderr.
 */
import { IMPLS, WORKLOADS, type WorkloadName } from './jobs.js';

/** Backends of the browser bench's rows (bench/browser/spec.ts BROWSER_ROWS). */
export const BROWSER_BACKENDS = ['wasm-1t', 'wasm-2t', 'webgl2', 'webgl2-native', 'webgpu', 'webgl', 'wasm'] as const;

/** Default time budget of one row, in seconds. */
export const DEFAULT_BUDGET_S = 120;

export interface Options {
  readonly json: boolean;
  readonly quick: boolean;
  readonly only: readonly WorkloadName[];
  readonly impls: readonly string[];
  readonly reference: boolean;
  readonly xvfb: boolean;
  readonly budgetS: number;
  /** --browser: the workloads in headless Chromium (bench/browser), beside shapegrad's wasm rows in Node. */
  readonly browser: boolean;
  /** --gpu: conformance on WebGPU, then the webgpu and webgl2 rows, in Chromium on the machine's GPU. */
  readonly gpu: boolean;
  /** --allow-swiftshader (with --gpu): go on when the adapter is SwiftShader or another CPU adapter. */
  readonly allowSwiftshader: boolean;
  /** --backends (with --browser or --gpu): only rows on these backends (e.g. webgl2,webgl); null: all. */
  readonly backends: readonly string[] | null;
  /** --budget was given (the browser bench has its own default otherwise). */
  readonly budgetGiven: boolean;
}

export const USAGE = `usage: node dist/bench/main.js [options]     (npm run bench -- [options])
  --json            print the rows as a JSON array on stdout (progress stays on stderr)
  --quick           fewer repetitions, and no float64 reference run for xcit and dino
  --only LIST       workloads to run, comma-separated: ${WORKLOADS.join(', ')} (default: all);
                    dino-step is one training step of the npm start job (DINO, XCiT-tiny), Node only
  --impl LIST       implementations: ${IMPLS.join(', ')} (default: all); pytorch needs a Python
                    with torch ($SHAPEGRAD_PYTHON, else /usr/bin/python3, else python3): without one
                    its rows are skipped, saying why
  --no-reference    skip the float64 reference check of the xcit and dino workloads
  --no-xvfb         do not start Xvfb for headlessgl when no DISPLAY is set
  --budget SECONDS  time budget of each row (set-up, first call, check and timing; also the
                    float64 reference run) (default: ${DEFAULT_BUDGET_S}); a row past it is killed and
                    reported as timed out, and the rows after it still run
  --browser         run the workloads in headless Chromium instead (one page: shapegrad on wasm
                    with 1 and 2 threads, gpu.js's webgl2 and webgpu, its own webgl2-native;
                    TensorFlow.js webgl, wasm, webgpu;
                    jax-js wasm, webgpu), and shapegrad's wasm rows in Node too, for the ratio
  --gpu             for a machine with a GPU: conformance of every golden file on WebGPU, then
                    the webgpu, webgl2 and webgl2-native rows, in Chromium on the GPU's Vulkan driver; refuses
                    (exit 1) when the adapter found is SwiftShader or another CPU adapter
  --backends LIST   with --browser or --gpu: only the rows on these backends: ${BROWSER_BACKENDS.join(', ')}
                    (shapegrad's wasm-1t/wasm-2t, webgl2, webgl2-native, webgpu; TensorFlow.js's webgl, wasm, webgpu;
                    jax-js's wasm, webgpu: an implementation's rows are those of its backends named)
  --allow-swiftshader  with --gpu: go on with a SwiftShader/CPU adapter (to test the path here)
`;

export class UsageError extends Error {}

function listArg(args: readonly string[], i: number, flag: string, allowed: readonly string[]): string[] {
  const value = args[i + 1];
  if (value === undefined) throw new UsageError(`${flag} needs a value\n${USAGE}`);
  const items = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = items.filter((s) => !allowed.includes(s));
  if (bad.length > 0) throw new UsageError(`${flag}: unknown ${bad.join(', ')}; choose from ${allowed.join(', ')}\n${USAGE}`);
  return items;
}

/** The options, or 'help' for --help / -h; throws UsageError on anything else it does not know. */
export function parseArgs(args: readonly string[]): Options | 'help' {
  let json = false;
  let quick = false;
  let only: WorkloadName[] = [...WORKLOADS];
  let impls: string[] = [...IMPLS];
  let reference = true;
  let xvfb = true;
  let budgetS = DEFAULT_BUDGET_S;
  let budgetGiven = false;
  let browser = false;
  let gpu = false;
  let allowSwiftshader = false;
  let backends: string[] | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--json') json = true;
    else if (a === '--quick') quick = true;
    else if (a === '--no-reference') reference = false;
    else if (a === '--no-xvfb') xvfb = false;
    else if (a === '--browser') browser = true;
    else if (a === '--gpu') gpu = true;
    else if (a === '--allow-swiftshader') allowSwiftshader = true;
    else if (a === '--only') only = listArg(args, i++, a, WORKLOADS) as WorkloadName[];
    else if (a === '--impl') impls = listArg(args, i++, a, IMPLS);
    else if (a === '--backends') backends = listArg(args, i++, a, BROWSER_BACKENDS);
    else if (a === '--budget') {
      const v = args[++i];
      budgetS = Number(v);
      budgetGiven = true;
      if (v === undefined || v.trim() === '' || !Number.isFinite(budgetS) || budgetS <= 0) throw new UsageError(`--budget needs a number of seconds above 0, got ${v ?? 'nothing'}\n${USAGE}`);
    } else if (a === '--help' || a === '-h') return 'help';
    else throw new UsageError(`unknown option ${a}\n${USAGE}`);
  }
  if (browser && gpu) throw new UsageError(`--browser and --gpu are two different runs: give one\n${USAGE}`);
  if (backends !== null && !browser && !gpu) throw new UsageError(`--backends goes with --browser or --gpu\n${USAGE}`);
  if (allowSwiftshader && !gpu) throw new UsageError(`--allow-swiftshader goes with --gpu\n${USAGE}`);
  return { json, quick, only, impls, reference: reference && !quick, xvfb, budgetS, budgetGiven, browser, gpu, allowSwiftshader, backends };
}
