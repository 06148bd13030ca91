/**
 * Bundles the browser bench's page (bench/browser/page.ts, from its compiled
 * output in dist/) with esbuild into dist/bench-browser/: page.js (shapegrad,
 * the workloads, TensorFlow.js with its webgl, wasm and webgpu backends,
 * jax-js), the native backend's pool worker beside it as worker.js (where
 * src/compile/wasm/pool.ts looks for it), TensorFlow.js's .wasm files (found
 * through setWasmPaths at the bundle's URL) and index.html. Served from the
 * repository root, the page fetches golden files from /test/fixtures/golden/.
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** The repository root (this file runs as dist/bench/browser/bundle.js). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** Where the bundle goes, relative to the repository root. */
export const BENCH_PAGE_DIR = 'dist/bench-browser';

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>shapegrad browser bench</title></head>
<body>
<p>shapegrad browser bench: driven by bench/browser/run.ts (npm run bench -- --browser).</p>
<script type="module" src="page.js"></script>
</body>
</html>
`;

export async function bundleBenchPage(outDir: string = join(repoRoot, BENCH_PAGE_DIR)): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await esbuild.build({
    entryPoints: {
      page: join(repoRoot, 'dist/bench/browser/page.js'),
      worker: join(repoRoot, 'dist/src/compile/wasm/worker.js'),
    },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outdir: outDir,
    sourcemap: false,
    logLevel: 'error',
    metafile: true,
    // TensorFlow.js's wasm glue names Node modules in branches a browser never takes.
    external: ['fs', 'path', 'crypto', 'worker_threads', 'perf_hooks', 'os', 'util'],
  });
  const require = createRequire(import.meta.url);
  const wasmDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(outDir, f));
  writeFileSync(join(outDir, 'index.html'), PAGE);
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { ms: performance.now() - t0, bytes };
}
