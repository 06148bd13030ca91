import { strict as assert } from 'node:assert';
import { parseEinsum } from '../../src/shape/einsum-spec.js';
import { ShapeError } from '../../src/shape/errors.js';

/** Asserts that parseEinsum(spec) throws a ShapeError whose message matches `pattern` and, when given, names `axis`. */
function rejects(spec: string, pattern: RegExp, axis?: string): void {
  assert.throws(
    () => parseEinsum(spec),
    (e: unknown) => {
      assert.ok(e instanceof ShapeError, `expected a ShapeError, got ${String(e)}`);
      assert.match(e.message, pattern);
      assert.ok(e.message.includes(spec), `message should quote the spec: ${e.message}`);
      if (axis !== undefined) {
        assert.match(e.message, new RegExp(`\\baxis ${axis}\\b`), `message should name axis ${axis}: ${e.message}`);
        assert.equal(e.details.axis, axis);
      }
      return true;
    },
  );
}

describe('shape/einsum-spec: parseEinsum', () => {
  describe('well-formed specs', () => {
    it('parses a matmul over leading axes', () => {
      assert.deepEqual(parseEinsum('B N C, C D -> B N D'), { inputs: [['B', 'N', 'C'], ['C', 'D']], output: ['B', 'N', 'D'] });
    });

    it('parses one operand (a reduction or transpose) and three operands', () => {
      assert.deepEqual(parseEinsum('B N C -> B C'), { inputs: [['B', 'N', 'C']], output: ['B', 'C'] });
      assert.deepEqual(parseEinsum('B C -> C B'), { inputs: [['B', 'C']], output: ['C', 'B'] });
      assert.deepEqual(parseEinsum('A B, B C, C D -> A D'), { inputs: [['A', 'B'], ['B', 'C'], ['C', 'D']], output: ['A', 'D'] });
    });

    it('parses a scalar output and a scalar operand', () => {
      assert.deepEqual(parseEinsum('B C, B C ->'), { inputs: [['B', 'C'], ['B', 'C']], output: [] });
      assert.deepEqual(parseEinsum(', C -> C'), { inputs: [[], ['C']], output: ['C'] });
    });

    it('keeps multi-character and derived axis names whole', () => {
      assert.deepEqual(parseEinsum('batch H*W chan, chan out -> batch H*W out'), {
        inputs: [['batch', 'H*W', 'chan'], ['chan', 'out']],
        output: ['batch', 'H*W', 'out'],
      });
    });

    it('allows repeated, leading and trailing spaces and no spaces around commas and the arrow', () => {
      const expected = { inputs: [['B', 'N', 'C'], ['C', 'D']], output: ['B', 'N', 'D'] };
      assert.deepEqual(parseEinsum('  B   N  C ,   C    D   ->   B  N   D  '), expected);
      assert.deepEqual(parseEinsum('B N C,C D->B N D'), expected);
    });

    it('allows an operand axis that is summed away and axes shared by operands (batch axes)', () => {
      assert.deepEqual(parseEinsum('B N C, B C D -> B N D'), { inputs: [['B', 'N', 'C'], ['B', 'C', 'D']], output: ['B', 'N', 'D'] });
    });
  });

  describe('errors', () => {
    it('rejects a spec without an arrow', () => {
      rejects('B N C, C D', /exactly one '->'/);
      rejects('B N C, C D  B N D', /exactly one '->'/);
      rejects('B C > C', /exactly one '->'/);
    });

    it('rejects a spec with two arrows', () => {
      rejects('B C -> C -> B', /exactly one '->'/);
      rejects('B C ->-> C', /exactly one '->'/);
    });

    it('rejects an axis repeated within an operand, naming the axis and the operand', () => {
      rejects('B C C, C D -> B D', /repeated in operand 1/, 'C');
      rejects('B N C, D C D -> B N', /repeated in operand 2/, 'D');
      rejects('B  B -> B', /repeated in operand 1/, 'B');
    });

    it('rejects an axis repeated in the output, naming it', () => {
      rejects('B N C, C D -> B N D D', /repeated in the output/, 'D');
    });

    it('rejects an output axis that appears in no operand, naming it', () => {
      rejects('B N C, C D -> B N E', /output axis E appears in no operand/, 'E');
      rejects('B C -> B Q', /output axis Q appears in no operand/, 'Q');
      rejects('-> K', /output axis K appears in no operand/, 'K');
    });

    it('does not mistake an axis for a prefix of another', () => {
      // 'C' is not in any operand even though 'CC' is.
      rejects('B CC -> B C', /output axis C appears in no operand/, 'C');
    });
  });
});
