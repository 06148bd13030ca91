import { strict as assert } from 'node:assert';
import { runDemo, spirals } from '../../src/cli/demo.js';

describe('cli/demo', () => {
  it('the spiral data are two balanced classes', () => {
    const { x, y } = spirals(3, 50);
    assert.equal(x.length, 200);
    assert.equal(y.reduce((a, b) => a + b, 0), 50);
  });

  it('gradient descent on the traced step drives the loss down and fits the data', () => {
    const lines: string[] = [];
    const { losses, accuracy } = runDemo({ steps: 300, hidden: 32, perClass: 100, learningRate: 0.5, log: (l) => lines.push(l) });
    assert.ok(losses[losses.length - 1]! < 0.2 * losses[0]!, `loss ${losses[0]} -> ${losses[losses.length - 1]}`);
    assert.ok(accuracy > 0.9, `accuracy ${accuracy}`);
    assert.match(lines[0]!, /traced one training step: \d+ nodes/);
  });
});
