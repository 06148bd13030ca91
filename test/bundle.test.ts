import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import * as esbuild from 'esbuild';

/** Bundle an entry for a browser; returns esbuild's errors as text, and the Node built-ins the graph reached. */
async function bundleForBrowser(entry: string): Promise<{ errors: string[]; nodeImports: string[] }> {
  const nodeImports: string[] = [];
  const builtins = new Set(builtinModules);
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    // iife refuses top-level await, so a TLA anywhere in the graph is an error too.
    format: 'iife',
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'record-node-imports',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            const bare = args.path.replace(/^node:/, '').split('/')[0]!;
            if (args.path.startsWith('node:') || builtins.has(bare)) nodeImports.push(`${args.path} (from ${args.importer})`);
            return undefined;
          });
        },
      },
    ],
  }).catch((e: esbuild.BuildFailure) => e);
  const errors = 'errors' in result ? result.errors.map((m) => `${m.text}${m.location ? ` (${m.location.file}:${m.location.line})` : ''}`) : [];
  return { errors, nodeImports };
}

describe('bundling for the browser', function () {
  this.timeout(60000);

  // Every entry the package exports is for browsers too, but the Node ones (files, trainers, notebooks) and package.json.
  const nodeOnly = new Set(['./node', './train', './notebook', './package.json']);
  const exported = (JSON.parse(readFileSync('package.json', 'utf8')) as { exports: Record<string, { default: string }> }).exports;
  const browserEntries = Object.entries(exported).filter(([name]) => !nodeOnly.has(name));
  it('the package exports the main entry, shapegrad/testing and the wasm pool worker for browsers', () => {
    assert.deepEqual(browserEntries.map(([name]) => name).sort(), ['.', './testing', './wasm-worker']);
  });

  for (const [name, { default: file }] of browserEntries) {
    const entry = file.replace(/^\.\//, '');
    it(`${name} (${entry}) bundles with no node: import and no top-level await`, async () => {
      const { errors, nodeImports } = await bundleForBrowser(entry);
      assert.deepEqual(nodeImports, [], `Node built-ins reached from ${entry}`);
      assert.deepEqual(errors, [], `esbuild errors for ${entry}`);
    });
  }

  it('the check catches a node: import (shapegrad/node does import them)', async () => {
    const { errors, nodeImports } = await bundleForBrowser('dist/src/node/index.js');
    assert.ok(nodeImports.some((m) => m.startsWith('node:fs')), nodeImports.join('\n'));
    assert.ok(errors.length > 0);
  });
});
