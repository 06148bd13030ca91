import { strict as assert } from 'node:assert';
import {
  estimateLeft,
  formatBar,
  formatDuration,
  formatProgressLine,
  formatProgressPlain,
  formatRate,
  formatValue,
  ProgressBar,
  RateMeter,
} from '../../src/train/progress.js';

describe('train/progress', () => {
  it('formats durations, values and rates', () => {
    assert.equal(formatDuration(7), '0:07');
    assert.equal(formatDuration(754), '12:34');
    assert.equal(formatDuration(3723), '1:02:03');
    assert.equal(formatDuration(undefined), '--:--');
    assert.equal(formatDuration(Infinity), '--:--');
    assert.equal(formatValue(3.41234), '3.412');
    assert.equal(formatValue(0.047312), '0.04731');
    assert.equal(formatValue(3e-4), '3.0e-4');
    assert.equal(formatValue(0), '0');
    assert.equal(formatValue(NaN), 'NaN');
    assert.equal(formatValue(1234567), '1.2e+6');
    assert.equal(formatRate(812.4), '812');
    assert.equal(formatRate(1234), '1.2k');
    assert.equal(formatRate(35.04), '35.0');
    assert.equal(formatRate(0.5), '0.50');
  });

  it('draws a bar of exact width in eighths', () => {
    assert.equal(formatBar(0, 10), ' '.repeat(10));
    assert.equal(formatBar(1, 10), '█'.repeat(10));
    assert.equal(formatBar(0.35, 10), '███▌      ');
    assert.equal(formatBar(2, 4), '████');
    assert.equal(formatBar(0.5, 10, true), '#####.....');
    for (let f = 0; f <= 1; f += 0.013) assert.equal(formatBar(f, 17).length, 17);
  });

  it('estimates time left from the share done', () => {
    assert.equal(estimateLeft(0, 10), undefined);
    assert.equal(estimateLeft(0.25, 10), 30);
    assert.equal(estimateLeft(1, 10), 0);
  });

  it('formats the terminal line within the width, dropping fields when narrow', () => {
    const info = { fraction: 0.35, step: 120, totalSteps: 400, loss: 3.41234, lr: 3e-4, imagesPerSec: 812, elapsedSec: 45 };
    const wide = formatProgressLine('dino', info, 120);
    assert.match(wide, /^dino █+.* 35% step 120\/400  loss 3\.412  lr 3\.0e-4  812 img\/s  1:24 left$/);
    for (const columns of [100, 80, 60, 40, 20, 5]) assert.ok(formatProgressLine('dino', info, columns).length < Math.max(columns, 11), `${columns}`);
    assert.match(formatProgressLine('dino', info, 60), /^dino █+\S? +35% loss 3\.412  812 img\/s  1:24 left$/); // the step and lr go first
    assert.equal(formatProgressPlain('dino', info), 'dino 35%  step 120/400  loss 3.412  lr 3.0e-4  812 img/s  elapsed 0:45  left 1:24');
    assert.equal(formatProgressPlain('', { fraction: 0.5, elapsedSec: 10, leftSec: 99 }), '50%  elapsed 0:10  left 1:39');
  });

  it('measures images per second over a recent window', () => {
    const m = new RateMeter(10);
    assert.equal(m.rate(), undefined);
    m.add(0, 0);
    m.add(5, 100); // slow warm-up
    assert.equal(m.rate(), 20);
    for (let t = 6; t <= 30; t++) m.add(t, 100 + (t - 5) * 50);
    assert.equal(m.rate(), 50);
  });

  function fakeStream(isTTY: boolean) {
    const out: string[] = [];
    return { out, stream: { isTTY, columns: 100, write: (s: string) => out.push(s) } };
  }

  it('prints plain lines at most every few seconds when not a terminal', () => {
    let now = 0;
    const { out, stream } = fakeStream(false);
    const bar = new ProgressBar({ label: 'dino', stream, now: () => now });
    for (let step = 1; step <= 100; step++) {
      now = step * 200; // 5 steps a second, 20 s in all
      bar.update({ fraction: step / 100, step, loss: 1 / step, images: step * 64 });
    }
    bar.log('eval: k-NN 90.1%');
    bar.finish('done');
    const lines = out.join('').split('\n').filter((l) => l !== '');
    assert.ok(out.every((s) => !s.includes('\r') && !s.includes('\x1b')));
    const progress = lines.filter((l) => l.startsWith('dino'));
    assert.ok(progress.length >= 4 && progress.length <= 6, `${progress.length} lines`);
    assert.match(progress[0]!, /^dino 1%  step 1  loss 1 {2}elapsed 0:00/);
    assert.match(progress[progress.length - 1]!, /^dino 100%  step 100  loss 0\.01  320 img\/s/);
    assert.deepEqual(lines.slice(-3, -1).map((l) => l.slice(0, 8)), ['eval: k-', 'dino 100']);
    assert.equal(lines[lines.length - 1], 'done');
  });

  it('redraws in place on a terminal, throttled, with messages above the bar', () => {
    let now = 0;
    const { out, stream } = fakeStream(true);
    const bar = new ProgressBar({ label: 'swav', stream, now: () => now });
    for (let i = 1; i <= 50; i++) {
      now = i * 10; // 100 updates a second: redraws every 100 ms at most
      bar.update({ fraction: i / 50, step: i, lr: 0.1 });
    }
    const redraws = out.filter((s) => s.startsWith('\r'));
    assert.ok(redraws.length >= 4 && redraws.length <= 6, `${redraws.length} redraws`);
    assert.ok(redraws.every((s) => s.endsWith('\x1b[K') && !s.includes('\n') && s.length < 100 + 5));
    out.length = 0;
    bar.log('checkpoint saved');
    assert.equal(out[0], '\r\x1b[Kcheckpoint saved\n');
    assert.match(out[1]!, /^\rswav .*100%/);
    bar.finish();
    assert.equal(out[out.length - 1], '\n');
    const n = out.length;
    bar.update({ fraction: 1 });
    bar.finish();
    assert.equal(out.length, n);
  });
});
