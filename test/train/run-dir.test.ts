import { strict as assert } from 'node:assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openRunDir, readRunInfo, runPaths, RunDirError, tmpPathFor, writeFileAtomic } from '../../src/train/run-dir.js';
import { useTmpDir } from './tmp.js';

const dino = { method: 'dino', model: 'xcit-tiny', dataset: 'mnist', config: { minutes: 5, batch: 64 } };

function refuses(f: () => unknown, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof RunDirError, String(e));
    assert.ok(!e.message.includes('\n'));
    assert.match(e.message, pattern);
    return true;
  });
}

describe('train/run-dir', () => {
  const tmp = useTmpDir();

  it('names the files of a run', () => {
    const p = runPaths('runs/a');
    assert.equal(p.checkpoint, join('runs/a', 'checkpoint.json'));
    assert.equal(p.metrics, join('runs/a', 'metrics.jsonl'));
    assert.equal(p.resultsTxt, join('runs/a', 'results.txt'));
    assert.equal(p.resultsJson, join('runs/a', 'results.json'));
    assert.equal(p.plot('loss', 'svg'), join('runs/a', 'plots', 'loss.svg'));
    assert.equal(p.plot('knn-accuracy', 'png'), join('runs/a', 'plots', 'knn-accuracy.png'));
    assert.throws(() => p.plot('../x', 'svg'), RunDirError);
  });

  it('creates a new run folder (and its parents) with run.json', () => {
    const dir = join(tmp(), 'runs', 'first');
    const run = openRunDir(dir, dino, { now: () => new Date('2024-01-02T03:04:05Z') });
    assert.ok(run.fresh);
    assert.ok(!run.hasCheckpoint);
    assert.deepEqual(readdirSync(dir), ['run.json']);
    const info = readRunInfo(dir);
    assert.deepEqual(info, { method: 'dino', model: 'xcit-tiny', dataset: 'mnist', config: dino.config, createdAt: '2024-01-02T03:04:05.000Z' });
    // an empty existing folder is fine too
    const empty = join(tmp(), 'empty');
    mkdirSync(empty);
    assert.ok(openRunDir(empty, dino).fresh);
  });

  it('refuses to reuse a run folder unless resume is asked, and touches nothing', () => {
    const dir = join(tmp(), 'run');
    openRunDir(dir, dino);
    writeFileSync(join(dir, 'metrics.jsonl'), '{"step":0}\n');
    const before = readFileSync(join(dir, 'run.json'), 'utf8');
    refuses(() => openRunDir(dir, dino), /already holds a run \(dino \/ xcit-tiny \/ mnist\); pass --resume to continue it, or choose another --out$/);
    const again = openRunDir(dir, { ...dino, config: { minutes: 10 } }, { resume: true });
    assert.ok(!again.fresh);
    assert.ok(!again.hasCheckpoint);
    assert.deepEqual(again.info.config, dino.config); // the stored identity, not the new one
    writeFileSync(join(dir, 'checkpoint.json'), '{}');
    assert.ok(openRunDir(dir, dino, { resume: true }).hasCheckpoint);
    assert.equal(readFileSync(join(dir, 'run.json'), 'utf8'), before);
    assert.equal(readFileSync(join(dir, 'metrics.jsonl'), 'utf8'), '{"step":0}\n');
  });

  it('refuses to resume a folder that does not exist or is empty, and creates nothing', () => {
    const missing = join(tmp(), 'runs', 'typo');
    refuses(() => openRunDir(missing, dino, { resume: true }), /^cannot resume: run folder .*typo does not exist; check the folder name, or drop --resume to start a new run$/);
    assert.equal(existsSync(join(tmp(), 'runs')), false);
    const empty = join(tmp(), 'empty');
    mkdirSync(empty);
    writeFileSync(join(empty, 'checkpoint.json.tmp-99999'), '');
    refuses(() => openRunDir(empty, dino, { resume: true }), /^cannot resume: .*empty holds no run/);
    assert.deepEqual(readdirSync(empty), ['checkpoint.json.tmp-99999']);
  });

  it('refuses a folder holding a different run, even to resume', () => {
    const dir = join(tmp(), 'run');
    openRunDir(dir, dino);
    refuses(() => openRunDir(dir, { ...dino, method: 'swav' }, { resume: true }), /holds a different run \(dino \/ xcit-tiny \/ mnist, not swav \/ xcit-tiny \/ mnist\); choose another --out$/);
  });

  it('refuses a folder with other files, or a file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'notes.txt'), 'precious');
    refuses(() => openRunDir(dir, dino, { resume: true }), /is not empty and is not a shapegrad run folder \(it holds notes\.txt\); choose another --out$/);
    assert.deepEqual(readdirSync(dir), ['notes.txt']);
    refuses(() => openRunDir(join(dir, 'notes.txt'), dino), /notes\.txt is a file, not a folder/);
    assert.equal(readFileSync(join(dir, 'notes.txt'), 'utf8'), 'precious');
    refuses(() => readRunInfo(join(dir, 'missing')), /run folder \S+missing does not exist$/);
    refuses(() => readRunInfo(dir), /is not a shapegrad run folder \(it has no run\.json\)$/);
  });

  it('names a damaged run.json', () => {
    const dir = join(tmp(), 'run');
    openRunDir(dir, dino);
    writeFileSync(join(dir, 'run.json'), '{"format":"shapegrad-run","version":1,"method":3}');
    refuses(() => readRunInfo(dir), /run\.json: method: expected string, got 3$/);
    writeFileSync(join(dir, 'run.json'), '{"format":');
    refuses(() => readRunInfo(dir), /run\.json: not valid JSON/);
  });

  it('writes files atomically and cleans up after a failure', () => {
    const dir = tmp();
    const path = join(dir, 'results.txt');
    writeFileAtomic(path, 'one');
    assert.throws(() => writeFileAtomic(path, 'two', { beforeRename: () => { throw new Error('crash'); } }), /crash/);
    assert.equal(readFileSync(path, 'utf8'), 'one');
    assert.ok(!existsSync(tmpPathFor(path)));
    writeFileAtomic(path, Buffer.from('three'));
    assert.equal(readFileSync(path, 'utf8'), 'three');
    assert.deepEqual(readdirSync(dir), ['results.txt']);
  });
});
