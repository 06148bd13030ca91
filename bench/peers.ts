/**
 * Loading the peers: TensorFlow.js 4.22 (the full `@tensorflow/tfjs` package,
 * which registers gradients; its backends 'cpu' and 'wasm') and jax-js (wasm
 * device). Both are optional at run time: a peer that does not load is
 * reported on stderr and its rows are left out, never faked.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export type Tf = typeof import('@tensorflow/tfjs');
export type Jax = typeof import('@jax-js/jax');

/** TensorFlow.js backends the bench uses: wasm and cpu in Node; wasm, webgl and webgpu in the browser bench (bench/browser). */
export type TfBackend = 'wasm' | 'cpu' | 'webgl' | 'webgpu';

/** jax-js devices the bench uses: wasm in Node; wasm and webgpu in the browser bench. */
export type JaxDevice = 'wasm' | 'webgpu';

export interface TfPeer {
  readonly tf: Tf;
  /** Backends that initialised, with a description (SIMD, threads). */
  readonly backends: readonly { readonly name: TfBackend; readonly detail: string }[];
  /** Switch to a backend (the engine keeps one active backend at a time). */
  use(name: TfBackend): Promise<void>;
}

let tfPeer: Promise<TfPeer> | undefined;

/** TensorFlow.js with the wasm backend pointed at the package's own .wasm files (Node has no fetch of relative URLs). */
export function loadTf(): Promise<TfPeer> {
  tfPeer ??= (async () => {
    const tf = require('@tensorflow/tfjs') as Tf;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${wasmDir}${path.sep}`);
    const backends: { name: 'wasm' | 'cpu'; detail: string }[] = [];
    for (const name of ['wasm', 'cpu'] as const) {
      try {
        if (!(await tf.setBackend(name))) throw new Error(`setBackend('${name}') returned false`);
        await tf.ready();
        let detail = 'JavaScript';
        if (name === 'wasm') {
          const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
          const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
          detail = `${simd ? 'SIMD' : 'no SIMD'}, ${threads ? `${wasm.getThreadsCount()} threads` : '1 thread'}`;
        }
        backends.push({ name, detail });
      } catch (e) {
        process.stderr.write(`[bench] TensorFlow.js backend ${name} is not available: ${(e as Error).message}\n`);
      }
    }
    return {
      tf,
      backends,
      async use(name) {
        if (tf.getBackend() !== name) {
          if (!(await tf.setBackend(name))) throw new Error(`TensorFlow.js: setBackend('${name}') failed`);
          await tf.ready();
        }
      },
    };
  })();
  return tfPeer;
}

export interface JaxPeer {
  readonly jax: Jax;
  readonly devices: readonly string[];
  /** Worker threads jax-js's wasm backend can use here (it needs a global Worker, which Node lacks). */
  readonly threaded: boolean;
}

let jaxPeer: Promise<JaxPeer> | undefined;

/** jax-js reads `navigator` when it loads, so one must exist before the (dynamic) import. */
export function loadJax(): Promise<JaxPeer> {
  jaxPeer ??= (async () => {
    const g = globalThis as { navigator?: unknown };
    if (g.navigator === undefined) {
      Object.defineProperty(globalThis, 'navigator', { value: { hardwareConcurrency: 2, userAgent: `Node.js ${process.version}` }, configurable: true, writable: true });
    }
    const jax = (await import('@jax-js/jax')) as Jax;
    const devices = await jax.init();
    if (!devices.includes('wasm')) throw new Error(`jax-js: no wasm device (devices: ${devices.join(', ')})`);
    jax.defaultDevice('wasm');
    const threaded = typeof SharedArrayBuffer !== 'undefined' && typeof (globalThis as { Worker?: unknown }).Worker !== 'undefined';
    return { jax, devices, threaded };
  })();
  return jaxPeer;
}
