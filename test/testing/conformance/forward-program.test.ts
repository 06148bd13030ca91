import { strict as assert } from 'node:assert';
import { forwardProgram } from '../../../src/testing/conformance/forward-program.js';
import { components } from '../../../src/testing/conformance/components/index.js';
import { loadGolden } from '../../../src/testing/conformance/runner.js';
import { interpret } from '../../../src/runtime/interpret.js';
import { goldenData } from '../../../src/io/golden.js';

const golden = (name: string) => loadGolden(`test/fixtures/golden/${name}.json`);

describe('testing/conformance/forward-program', () => {
  it("xca: the file's inputs become formal inputs, and the graph run on them gives the file's outputs", () => {
    const file = golden('xca');
    const p = forwardProgram(components['xca']!, file)!;
    assert.deepEqual([...p.inputPaths].sort(), ['R', 'x']);
    assert.equal(p.graph.inputs.length, 2);
    assert.ok(p.graph.inputs.every((x) => x.op === 'constant'));
    const got = interpret(p.graph, [...p.inputs]);
    p.outputKeys.forEach((k, i) => {
      const want = goldenData(file.outputs[k]!);
      got[i]!.data.forEach((v, j) => assert.ok(Math.abs(v - want[j]!) <= 1e-9 + 1e-9 * Math.abs(want[j]!), `${k}[${j}]`));
    });
  });

  it('a component that computes on the host (the DINO cosine scheduler) has no forward program', () => {
    assert.equal(forwardProgram(components['dino_cosine_scheduler']!, golden('dino_cosine_scheduler')), undefined);
  });
});
