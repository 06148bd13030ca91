import { strict as assert } from 'node:assert';
import { swavQueueComponent } from '../../../../src/testing/conformance/components/swav-queue.js';
import { loadGolden } from '../../../../src/testing/conformance/runner.js';
import { assertGolden } from '../../../nn/resmlp/support.js';

describe('testing/conformance/components/swav-queue', () => {
  it("reproduces swav_queue.json: a full queue used at once, and an empty one filled over two steps and used from the third", () => {
    const s = assertGolden('swav_queue', swavQueueComponent);
    assert.ok(s.maxAbs < 1e-10, `max abs ${s.maxAbs}`);
  });

  it('carries the queue from step to step: the third fill step alone, from the empty queue, does not use it', () => {
    const file = loadGolden('test/fixtures/golden/swav_queue.json');
    const out = swavQueueComponent.evaluate(file, 'reference').outputs;
    assert.deepEqual([0, 1, 2].map((k) => Array.from(out[`fill/step${k}/use_the_queue`] as ArrayLike<number>)[0]), [0, 0, 1]);
    const alone = Object.fromEntries(
      Object.entries(file.inputs)
        .filter(([k]) => !/^fill\/step[01]\//.test(k))
        .map(([k, v]) => [k.replace(/^fill\/step2\//, 'fill/step0/'), v]),
    );
    const single = swavQueueComponent.evaluate({ ...file, inputs: alone }, 'reference').outputs;
    assert.deepEqual(Array.from(single['fill/step0/use_the_queue'] as ArrayLike<number>), [0]);
    assert.deepEqual((single['fill/step0/sinkhorn_call0/input_scores'] as unknown as { sizes: number[] }).sizes, [4, 6]);
  });

  it('says which input is missing', () => {
    const file = loadGolden('test/fixtures/golden/swav_queue.json');
    const inputs = Object.fromEntries(Object.entries(file.inputs).filter(([k]) => !k.endsWith('queue_before')));
    assert.throws(() => swavQueueComponent.evaluate({ ...file, inputs }, 'reference'), /no <case>\/queue_before/);
  });
});
