/**
 * The layering of src/ (docs/architecture in DESIGN terms: shape, ir, runtime,
 * ops, autodiff, then compile, nn, optim, then ssl, data, then eval, train,
 * cli): no run-time import circle anywhere in src/, and no run-time import
 * from a lower layer to a higher one. Type-only imports are erased and may
 * point anywhere. Read from the TypeScript sources, so it needs no build.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');

/** Layer of each top-level folder of src/ (higher may import lower). Folders not listed are not ranked. */
const layers: Readonly<Record<string, number>> = {
  shape: 0, ir: 1, runtime: 2, ops: 3, autodiff: 4,
  compile: 5, nn: 5, optim: 5,
  ssl: 6, data: 6,
  eval: 7, train: 7, cli: 7,
};

/**
 * Upward imports kept on purpose, each with its reason. Keep this short.
 * - runtime/interpret.ts is a thin alias of ops/interpret.ts, kept so code written against the
 *   old path (tests, other branches) still imports the interpreter from there.
 */
const allowedUpward: ReadonlySet<string> = new Set(['runtime/interpret.ts -> ops/interpret.ts']);

/**
 * Imports left out of the circle check, each with its reason. Keep this short.
 * - broadcast's VJP is a sum and sum's VJP is a broadcast: ops/layout.ts and ops/reduce.ts
 *   need each other, only inside VJP rules (called after both modules have loaded).
 */
const allowedInCircle: ReadonlySet<string> = new Set(['ops/layout.ts -> ops/reduce.ts']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The relative modules a source imports or re-exports at run time (type-only imports and exports left out). */
export function runtimeImports(text: string): string[] {
  const out: string[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^;]*?)\s+from\s+'(\.[^']+)'/gms;
  for (const m of text.matchAll(re)) {
    if (m[2]) continue;
    const clause = m[3]!.trim();
    const braces = /^\{([^}]*)\}$/.exec(clause);
    if (braces && braces[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '').every((s) => s.startsWith('type '))) continue;
    out.push(m[4]!);
  }
  for (const m of text.matchAll(/^\s*import\s+'(\.[^']+)'/gm)) out.push(m[1]!);
  return out;
}

function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const from = relative(root, file);
    const targets = runtimeImports(readFileSync(file, 'utf8')).map((spec) => relative(root, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'));
    graph.set(from, targets);
  }
  return graph;
}

/** One import circle of the graph, as its files in order, or undefined. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (state.get(next) === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of [...graph.keys()].sort()) {
    if (state.get(node) === undefined) {
      const found = visit(node);
      if (found) return found;
    }
  }
  return undefined;
}

const layerOf = (file: string): number | undefined => layers[file.split('/')[0]!];

describe('architecture', () => {
  const graph = importGraph();

  it('reads the sources (a sanity check of the parser)', () => {
    assert.ok(graph.size > 100, `${graph.size} source files`);
    assert.ok(graph.get('compile/compile.ts')!.includes('compile/gpujs/program.ts'));
    assert.deepEqual(runtimeImports("import type { A } from './a.js';\nimport { type B } from './b.js';\nimport { c } from './c.js';\nexport * from './d.js';\nexport type { E } from './e.js';"), ['./c.js', './d.js']);
  });

  it('finds a planted circle', () => {
    assert.deepEqual(findCycle(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), ['a', 'b', 'c', 'a']);
    assert.equal(findCycle(new Map([['a', ['b']], ['b', []]])), undefined);
  });

  it('has no run-time import circle in src/', () => {
    const pruned = new Map([...graph].map(([from, targets]) => [from, targets.filter((to) => !allowedInCircle.has(`${from} -> ${to}`))]));
    const cycle = findCycle(pruned);
    assert.equal(cycle, undefined, `import circle: ${cycle?.join(' -> ')}`);
  });

  it('has no run-time import from a lower layer to a higher one (shape, ir, runtime, ops, autodiff < compile, nn, optim < ssl, data < eval, train, cli)', () => {
    const upward: string[] = [];
    for (const [from, targets] of graph) {
      const lf = layerOf(from);
      if (lf === undefined) continue;
      for (const to of targets) {
        const lt = layerOf(to);
        if (lt !== undefined && lt > lf && !allowedUpward.has(`${from} -> ${to}`)) upward.push(`${from} -> ${to}`);
      }
    }
    assert.deepEqual(upward, []);
  });
});
