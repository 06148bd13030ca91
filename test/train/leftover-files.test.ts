import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeLeftoverTmpFiles, tmpFilePid } from '../../src/train/leftover-files.js';
import { RunDirError } from '../../src/train/run-dir.js';
import { useTmpDir } from './tmp.js';

describe('train/leftover-files', () => {
  const tmp = useTmpDir();

  it('reads the pid of a temporary file name, and only of one', () => {
    assert.equal(tmpFilePid('checkpoint.json.tmp-4242'), 4242);
    assert.equal(tmpFilePid('checkpoint.json'), undefined);
    assert.equal(tmpFilePid('checkpoint.json.tmp-'), undefined);
  });

  it('removes the temporary files of dead processes and names them; other files stay', () => {
    const dir = tmp();
    for (const name of ['run.json', 'checkpoint.json', 'checkpoint.json.tmp-12345', 'metrics.jsonl.tmp-777']) writeFileSync(join(dir, name), 'x');
    const removed = removeLeftoverTmpFiles(dir, () => false);
    assert.deepEqual(removed.sort(), ['checkpoint.json.tmp-12345', 'metrics.jsonl.tmp-777']);
    assert.deepEqual(readdirSync(dir).sort(), ['checkpoint.json', 'run.json']);
  });

  it('refuses (and removes nothing) when the writing process is alive: another run uses the folder', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'checkpoint.json.tmp-1'), 'x');
    writeFileSync(join(dir, 'checkpoint.json.tmp-2'), 'x');
    assert.throws(() => removeLeftoverTmpFiles(dir, (pid) => pid === 2), (e: unknown) => e instanceof RunDirError && /process 2, which is still running/.test(e.message));
    assert.ok(existsSync(join(dir, 'checkpoint.json.tmp-1')));
  });

  it('treats its own pid as a leftover and a live foreign pid as busy', () => {
    const dir = tmp();
    writeFileSync(join(dir, `checkpoint.json.tmp-${process.pid}`), 'x');
    assert.deepEqual(removeLeftoverTmpFiles(dir), [`checkpoint.json.tmp-${process.pid}`]);
    writeFileSync(join(dir, `checkpoint.json.tmp-${process.ppid}`), 'x');
    assert.throws(() => removeLeftoverTmpFiles(dir), RunDirError);
  });
});
