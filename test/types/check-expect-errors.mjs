#!/usr/bin/env node
/**
 * Proves that every `// @ts-expect-error <why>` in test/types/*.types.ts guards
 * a line that really fails to typecheck.
 *
 * 1. The unmodified folder must typecheck (`tsc -p test/types/tsconfig.json`).
 * 2. A copy of the folder is made at the same depth (test/.types-check-<pid>/,
 *    so `extends` and relative imports still resolve, and the dot keeps it out
 *    of the main build's `test/**` glob) with every directive line blanked (line
 *    numbers are kept), and tsc runs once on it. Each directive passes when tsc
 *    reports an error on the line right after it; an error on any line that no
 *    directive guards fails the check. Each directive must give a reason after
 *    `@ts-expect-error`.
 *
 * One run proves what a run per directive would: a directive only hides the
 * errors of its next line, it changes no type, so the errors of the copy are
 * exactly the union of what each directive hid (94 directives: one tsc run
 * instead of 94, about 8 minutes of CI).
 *
 * Prints one line per check and ends with "N passed, N failed"; exits non-zero
 * on any failure. Plain Node (>= 20), no dependencies.
 *
 * Usage: node test/types/check-expect-errors.mjs [filter]
 *   filter    only directives in files whose name contains this text
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const typesDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(typesDir, '..', '..');
const parentDir = dirname(typesDir);
const folderName = basename(typesDir);

const filter = process.argv[2] ?? '';

// node_modules/.bin/tsc is a link to typescript/bin/tsc (a Node script); run it with this Node so no shell is needed.
const tscBin = join(root, 'node_modules', '.bin', 'tsc');
if (!existsSync(tscBin)) {
  console.error(`check-expect-errors: ${relative(root, tscBin)} not found; install the dev dependencies first`);
  process.exit(2);
}
const tscScript = realpathSync(tscBin);

/** Files under dir (recursively), skipping dot-folders (earlier copies) and node_modules. */
function filesUnder(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const DIRECTIVE = /^\s*\/\/\s*@ts-expect-error\b(.*)$/;

/** Every directive: its file (relative to test/types), its 0-based line, the reason, and the guarded line. */
function findDirectives() {
  const found = [];
  for (const path of filesUnder(typesDir).filter((p) => p.endsWith('.types.ts')).sort()) {
    const file = relative(typesDir, path);
    if (filter && !file.includes(filter)) continue;
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.forEach((text, line) => {
      const m = DIRECTIVE.exec(text);
      if (m) found.push({ file, line, reason: m[1].trim(), guarded: (lines[line + 1] ?? '').trim() });
    });
  }
  return found;
}

/** Run tsc on <dir>/tsconfig.json from the repository root; resolves to { code, errors, output }. */
function tsc(dir) {
  return new Promise((resolvePromise) => {
    const child = spawn(process.execPath, [tscScript, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false'], { cwd: root });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolvePromise({ code: -1, errors: [], output: String(e) }));
    child.on('close', (code) => {
      const errors = [];
      for (const text of output.split('\n')) {
        const m = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/.exec(text.trim());
        if (m) errors.push({ path: resolve(root, m[1]), line: Number(m[2]) - 1, code: m[4], message: m[5] });
      }
      resolvePromise({ code: code ?? -1, errors, output });
    });
  });
}

const copies = new Set();
function removeCopies() {
  for (const dir of copies) rmSync(dir, { recursive: true, force: true });
  copies.clear();
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    removeCopies();
    process.exit(130);
  });
}

/** Copy the folder with every directive blanked and run tsc on the copy once. */
async function typecheckWithout(directives) {
  const copy = join(parentDir, `.${folderName}-check-${process.pid}`);
  copies.add(copy);
  try {
    rmSync(copy, { recursive: true, force: true });
    cpSync(typesDir, copy, { recursive: true, filter: (src) => src === typesDir || !basename(src).startsWith('.') });
    for (const file of new Set(directives.map((d) => d.file))) {
      const target = join(copy, file);
      const lines = readFileSync(target, 'utf8').split('\n');
      for (const d of directives.filter((x) => x.file === file)) lines[d.line] = '';
      writeFileSync(target, lines.join('\n'));
    }
    const run = await tsc(copy);
    const where = (e) => `${relative(copy, e.path)}:${e.line + 1}`;
    return { ...run, errors: run.errors.map((e) => ({ ...e, where: where(e) })) };
  } finally {
    rmSync(copy, { recursive: true, force: true });
    copies.delete(copy);
  }
}

const started = Date.now();
let passed = 0;
let failed = 0;
const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

// 1. The unmodified folder.
const baseline = await tsc(typesDir);
if (baseline.code === 0) {
  passed++;
  console.log(`ok    ${folderName}/ typechecks unmodified`);
} else {
  failed++;
  console.log(`FAIL  ${folderName}/ does not typecheck unmodified (exit ${baseline.code}):\n${baseline.output.trim()}`);
}

// 2. Every directive blanked at once; each must have hidden an error on its next line.
const directives = findDirectives();
if (directives.length === 0) {
  failed++;
  console.log(`FAIL  no @ts-expect-error directives found in ${folderName}/*.types.ts${filter ? ` matching '${filter}'` : ''}`);
}
try {
  const run = directives.length > 0 ? await typecheckWithout(directives) : { code: 0, errors: [], output: '' };
  const guarded = (d) => `${d.file}:${d.line + 2}`;
  for (const d of directives) {
    const hidden = run.errors.filter((e) => e.where === guarded(d));
    const why = [
      ...(d.reason ? [] : ['the directive gives no reason (write // @ts-expect-error <why>)']),
      ...(hidden.length > 0 ? [] : [`tsc accepts line ${d.line + 2} without the directive${run.code === 0 || run.errors.length > 0 ? '' : `:\n      ${run.output.trim()}`}`]),
    ];
    if (why.length === 0) {
      passed++;
      console.log(`ok    ${guarded(d)}  ${d.reason}  [${[...new Set(hidden.map((e) => e.code))].join(',')}: ${clip(hidden[0].message, 110)}]`);
    } else {
      failed++;
      console.log(`FAIL  ${guarded(d)}  ${d.reason || '(no reason)'}\n      ${d.guarded}\n      ${why.join('; ')}`);
    }
  }
  const guardedLines = new Set(directives.map(guarded));
  for (const e of run.errors.filter((x) => !guardedLines.has(x.where))) {
    failed++;
    console.log(`FAIL  ${e.where}  an error no directive guards appears once the directives are gone: ${e.code} ${e.message}`);
  }
} finally {
  removeCopies();
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\n${directives.length} directives in ${new Set(directives.map((d) => d.file)).size} files, one tsc run, ${seconds}s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
