/**
 * Bundles the browser suite's page for Chromium with esbuild, from the compiled
 * output in dist/ (so the page runs what `npm run build` produced): the page
 * (suite.js), its dedicated Worker (suite-worker.js), and the native backend's
 * pool worker, which a bundle must emit beside itself as worker.js (see
 * src/compile/wasm/pool.ts). Served from the repository root, the page fetches
 * the golden files from /test/fixtures/golden/.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

/** Where the bundle goes, relative to the repository root (which the server serves). */
export const SUITE_DIR = 'dist/browser-suite';

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>shapegrad browser suite</title></head>
<body>
<p>shapegrad browser suite: driven by test/browser/suite.browser.ts (npm run test:browser).</p>
<script type="module" src="suite.js"></script>
</body>
</html>
`;

/** The shared test helpers import node:assert; the page gets the small shim in page/node-assert.ts. */
const nodeAssertShim: esbuild.Plugin = {
  name: 'node-assert-shim',
  setup(build) {
    build.onResolve({ filter: /^(node:)?assert(\/strict)?$/ }, () => ({ path: resolve('dist/test/browser/page/node-assert.js') }));
  },
};

export async function bundleSuite(outDir: string = SUITE_DIR): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: {
      suite: 'dist/test/browser/page/main.js',
      'suite-worker': 'dist/test/browser/page/worker.js',
      worker: 'dist/src/compile/wasm/worker.js',
    },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    outdir: outDir,
    sourcemap: true,
    logLevel: 'warning',
    plugins: [nodeAssertShim],
  });
  writeFileSync(join(outDir, 'index.html'), PAGE);
}
