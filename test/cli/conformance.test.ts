import { strict as assert } from 'node:assert';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDirEach } from './run-cli.js';

const golden = 'test/fixtures/golden';
const fixture = (name: string) => JSON.parse(readFileSync(join(golden, `${name}.json`), 'utf8')) as Record<string, any>;
const cli = (args: readonly string[]) => runCli('conformance', args);

describe('cli/conformance', function () {
  this.timeout(600000);
  const tempDir = tempDirEach('shapegrad-conformance-cli-');

  it('takes any number of files and folders and checks each', () => {
    const dir = join(tempDir(), 'more');
    mkdirSync(dir);
    writeFileSync(join(dir, 'resmlp_block.json'), JSON.stringify(fixture('resmlp_block')));
    const r = cli([join(golden, 'resmlp_affine.json'), join(golden, 'dino_head.json'), dir]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /conformance \(reference\): 3 files, \d+ tensors passed, 0 failed/);
    assert.equal(r.err, '');
  });

  it('prints failures to stderr, passes to stdout, and exits 1 on any failure', () => {
    const bad = fixture('resmlp_affine');
    bad['outputs'].y.data[0] += 1;
    const path = join(tempDir(), 'resmlp_affine.json');
    writeFileSync(path, JSON.stringify(bad));
    const r = cli([join(golden, 'dino_head.json'), path]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^FAIL resmlp_affine outputs\.y .*worst at element 0/m);
    assert.doesNotMatch(r.out, /^FAIL/m);
    assert.match(r.out, /^PASS dino_head/m);
  });

  it('--json prints one object with every report and the counts', () => {
    const r = cli([join(golden, 'resmlp_affine.json'), '--json']);
    assert.equal(r.code, 0, r.err);
    const json = JSON.parse(r.out) as { ok: boolean; backend: string; files: number; passed: number; failed: number; reports: { component: string; lines: { key: string; status: string }[] }[] };
    assert.deepEqual([json.ok, json.backend, json.files, json.failed], [true, 'reference', 1, 0]);
    assert.equal(json.passed, json.reports[0]!.lines.length);
    assert.equal(json.reports[0]!.component, 'resmlp_affine');
  });

  it('a golden value of infinity fails', () => {
    const path = join(tempDir(), 'resmlp_affine.json');
    writeFileSync(path, JSON.stringify(fixture('resmlp_affine')).replace(/("y":\{[^}]*?"data":\[)[^,\]]+/, (_, head: string) => `${head}1e999`));
    const r = cli([path, '--json']);
    assert.equal(r.code, 1, r.out);
    assert.match(r.err, /FAIL resmlp_affine outputs\.y/);
  });

  it('a shape mismatch names the file and the tensor', () => {
    const j = fixture('resmlp_affine');
    const y = j['outputs'].y as { shape: number[]; data: number[] };
    y.shape = [...y.shape.slice(0, -1), y.shape[y.shape.length - 1]! - 1];
    y.data = y.data.slice(0, y.shape.reduce((a, b) => a * b, 1));
    const path = join(tempDir(), 'resmlp_affine.json');
    writeFileSync(path, JSON.stringify(j));
    const r = cli([path]);
    assert.equal(r.code, 1);
    const line = r.err.split('\n').find((l) => l.includes('outputs.y'))!;
    assert.match(line, /shape \[[\d, ]+\] in the file/);
    assert.ok(line.includes(path), line);
  });

  it('a folder without golden files, or an empty path, is one error line and exit 2, not a silent failure (found by fuzz/cli.test.ts)', () => {
    const empty = join(tempDir(), 'empty');
    mkdirSync(empty);
    const r = cli([join(golden, 'dino_head.json'), empty]);
    assert.equal(r.code, 2);
    assert.equal(r.err, `shapegrad conformance: ${empty} holds no golden files (*.json)\n`);
    assert.equal(r.out, '');
    assert.equal(cli(['']).err, "shapegrad conformance: an empty path ('') is not a golden file or folder\n");
  });

  it('an unknown flag or backend exits 2', () => {
    assert.equal(cli([golden, '--bogus']).code, 2);
    assert.equal(cli([golden, '--backend', 'nope']).code, 2);
    assert.equal(cli([]).code, 2);
  });
});
