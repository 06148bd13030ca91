import { strict as assert } from 'node:assert';
import { registry } from '../../src/index.js';

/**
 * Which test file checks each primitive, and how. A primitive added to the
 * registry without being placed here (and tested) fails this test.
 */
const coverage = {
  /** A fast-check gradient property against finite differences (numRuns >= 100). */
  gradientProperty: {
    'elementwise.test': ['neg', 'exp', 'log', 'sqrt', 'reciprocal', 'abs', 'sin', 'cos', 'tanh', 'erf', 'add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'pow', 'select'],
    'reduce.test': ['sum', 'max'],
    'layout.test': ['broadcast', 'reshape', 'transpose'],
    'slicing.test': ['slice', 'pad', 'concat'],
    'einsum.test': ['einsum'],
    'activations.test': ['softplus'],
    'gather.test': ['gather', 'scatterAdd'],
    'identity.test': ['identity'],
  },
  /** No gradient: autodiff gives exactly zero. */
  zeroGradient: {
    'elementwise.test': ['sign', 'floor', 'less', 'greater', 'equal'],
    'gather.test': ['oneHot'],
    'identity.test': ['stopGradient'],
    'sources.test': ['constant', 'fill', 'iota', 'input'],
    'random.test': ['random'],
  },
} as const;

describe('ops/registry', () => {
  it('every primitive is covered by a gradient property or an exact zero-gradient check', () => {
    const covered = [...Object.values(coverage.gradientProperty), ...Object.values(coverage.zeroGradient)].flat() as string[];
    assert.deepEqual([...covered].sort(), Object.keys(registry).sort());
    assert.equal(new Set(covered).size, covered.length, 'a primitive is listed twice');
  });
});
