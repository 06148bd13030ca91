#!/usr/bin/env node
/**
 * Proves that every `// @ts-expect-error <why>` in test/types/*.types.ts guards
 * a line that really fails to typecheck.
 *
 * 1. The unmodified folder must typecheck (`tsc -p test/types/tsconfig.json`).
 * 2. For each directive, a copy of the folder is made at the same depth
 *    (test/.types-check-<pid>-<n>/, so `extends` and relative imports still
 *    resolve, and the dot keeps it out of the main build's `test/**` glob) with
 *    that one directive line blanked (line numbers are kept); tsc on the copy
 *    must FAIL, with its errors on the line right after the directive and
 *    nowhere else. Each directive must give a reason after `@ts-expect-error`.
 *
 * Prints one line per check and ends with "N passed, N failed"; exits non-zero
 * on any failure. Plain Node (>= 20), no dependencies.
 *
 * Usage: node test/types/check-expect-errors.mjs [--jobs N] [filter]
 *   --jobs N  tsc runs at a time (default: min(2, cores); env TYPES_CHECK_JOBS)
 *   filter    only directives in files whose name contains this text
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const typesDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(typesDir, '..', '..');
const parentDir = dirname(typesDir);
const folderName = basename(typesDir);

const args = process.argv.slice(2);
let jobs = Number(process.env.TYPES_CHECK_JOBS) || Math.min(2, availableParallelism());
let filter = '';
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--jobs' || args[i] === '-j') jobs = Number(args[++i]);
  else if (args[i].startsWith('--jobs=')) jobs = Number(args[i].slice('--jobs='.length));
  else filter = args[i];
}
if (!Number.isInteger(jobs) || jobs < 1) {
  console.error('check-expect-errors: --jobs needs a positive integer');
  process.exit(2);
}

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

/** Copy the folder with one directive blanked, run tsc on the copy, judge the result. */
async function checkDirective(d, n) {
  const copy = join(parentDir, `.${folderName}-check-${process.pid}-${n}`);
  copies.add(copy);
  try {
    rmSync(copy, { recursive: true, force: true });
    cpSync(typesDir, copy, { recursive: true, filter: (src) => src === typesDir || !basename(src).startsWith('.') });
    const target = join(copy, d.file);
    const lines = readFileSync(target, 'utf8').split('\n');
    lines[d.line] = '';
    writeFileSync(target, lines.join('\n'));
    const { code, errors, output } = await tsc(copy);
    const expectedLine = d.line + 1;
    const atLine = errors.filter((e) => e.path === target && e.line === expectedLine);
    const elsewhere = errors.filter((e) => !(e.path === target && e.line === expectedLine));
    if (code === 0) return { ok: false, why: 'tsc passed without the directive: the line is accepted' };
    if (atLine.length === 0) {
      const shown = errors.length > 0 ? errors.map((e) => `${relative(copy, e.path)}:${e.line + 1} ${e.code} ${e.message}`).join('\n      ') : output.trim();
      return { ok: false, why: `tsc failed (exit ${code}) but not on line ${expectedLine + 1}:\n      ${shown}` };
    }
    if (elsewhere.length > 0) {
      const shown = elsewhere.map((e) => `${relative(copy, e.path)}:${e.line + 1} ${e.code} ${e.message}`).join('\n      ');
      return { ok: false, why: `removing the directive also caused errors elsewhere:\n      ${shown}` };
    }
    return { ok: true, codes: [...new Set(atLine.map((e) => e.code))].join(','), message: atLine[0].message };
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

// 2. Each directive, `jobs` at a time; lines are printed in directive order.
const directives = findDirectives();
if (directives.length === 0) {
  failed++;
  console.log(`FAIL  no @ts-expect-error directives found in ${folderName}/*.types.ts${filter ? ` matching '${filter}'` : ''}`);
}
const results = new Array(directives.length);
let printed = 0;
function printReady() {
  while (printed < directives.length && results[printed] !== undefined) {
    const d = directives[printed];
    const r = results[printed];
    const where = `${d.file}:${d.line + 2}`;
    if (!d.reason) {
      r.ok = false;
      r.why = `the directive gives no reason (write // @ts-expect-error <why>)${r.why ? `; ${r.why}` : ''}`;
    }
    if (r.ok) {
      passed++;
      console.log(`ok    ${where}  ${d.reason}  [${r.codes}: ${clip(r.message, 110)}]`);
    } else {
      failed++;
      console.log(`FAIL  ${where}  ${d.reason || '(no reason)'}\n      ${d.guarded}\n      ${r.why}`);
    }
    printed++;
  }
}
let next = 0;
async function worker() {
  while (next < directives.length) {
    const i = next++;
    try {
      results[i] = await checkDirective(directives[i], i);
    } catch (e) {
      results[i] = { ok: false, why: `check crashed: ${e instanceof Error ? e.stack : String(e)}` };
    }
    printReady();
  }
}
try {
  await Promise.all(Array.from({ length: Math.min(jobs, Math.max(1, directives.length)) }, worker));
} finally {
  removeCopies();
}

const seconds = ((Date.now() - started) / 1000).toFixed(1);
console.log(`\n${directives.length} directives in ${new Set(directives.map((d) => d.file)).size} files, ${jobs} at a time, ${seconds}s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
