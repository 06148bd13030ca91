import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { checkFile, formatReport, runConformance } from '../../../src/testing/conformance/runner.js';

const fixture = 'test/fixtures/golden/resmlp_affine.json';

async function withTemp(name: string, mutate: (json: Record<string, any>) => void, body: (path: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'shapegrad-conformance-'));
  try {
    const json = JSON.parse(readFileSync(fixture, 'utf8'));
    mutate(json);
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(json));
    await body(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The conformance command; `out` is its stderr, where failures go. */
function cli(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, ['dist/src/cli/main.js', 'conformance', ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stderr };
}

describe('testing/conformance runner', () => {
  it('passes a golden file and prints one line per tensor', () => {
    const report = checkFile(fixture);
    assert.equal(report.error, undefined);
    assert.deepEqual(report.lines.map((l) => `${l.section}.${l.key}:${l.status}`), ['outputs.y:pass', 'outputs.loss:pass', 'grads.x:pass', 'grads.alpha:pass', 'grads.beta:pass']);
    assert.match(formatReport(report)[0]!, /^PASS resmlp_affine outputs\.y {2}max abs .* {2}max rel /);
  });

  it('fails a file whose expected output was altered by one part in a million', async () => {
    await withTemp('resmlp_affine.json', (j) => {
      j.outputs.y.data[3] *= 1 + 1e-6;
    }, async (path) => {
      const report = checkFile(path);
      const y = report.lines.find((l) => l.key === 'y')!;
      assert.equal(y.status, 'fail');
      assert.match(y.note!, /worst at element 3/);
      const { code, out } = cli([path]);
      assert.equal(code, 1);
      assert.match(out, /^FAIL resmlp_affine outputs\.y/m);
    });
  });

  it('fails on a file naming a component it does not know', async () => {
    await withTemp('no_such_module.json', () => {}, async (path) => {
      const result = await runConformance(path);
      assert.equal(result.ok, false);
      assert.match(result.reports[0]!.error!, /unknown component 'no_such_module'/);
      assert.equal(cli([path]).code, 1);
    });
  });

  it('rejects a malformed file with a message naming the field', async () => {
    await withTemp('resmlp_affine.json', (j) => {
      j.params.beta.shape = [15];
    }, async (path) => {
      const report = checkFile(path);
      assert.match(report.error!, /params\.beta\.data: 16 values for shape \[15\]/);
    });
  });

  it('reports a gradient that was not computed as a failure', async () => {
    await withTemp('resmlp_affine.json', (j) => {
      j.grads.gamma = j.grads.beta;
    }, async (path) => {
      const line = checkFile(path).lines.find((l) => l.key === 'gamma')!;
      assert.equal(line.status, 'fail');
      assert.equal(line.note, 'not computed');
    });
  });

  it('refuses a backend that does not exist yet, by name', () => {
    const { code, out } = cli([fixture, '--backend', 'webgpu']);
    assert.equal(code, 2);
    assert.match(out, /--backend must be one of reference, wasm, cpu, webasm.*, got 'webgpu'/);
  });
});
