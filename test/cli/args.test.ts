import { strict as assert } from 'node:assert';
import { intIn, numberFlag, parseFlags, UsageError } from '../../src/cli/args.js';

describe('cli/args', () => {
  const spec = { switches: ['json'], values: ['steps'] };

  it('reads --name value, --name=value, switches and -h', () => {
    assert.equal(parseFlags(['--steps', '3'], spec).values.get('steps'), '3');
    assert.equal(parseFlags(['--steps=-3'], spec).values.get('steps'), '-3');
    const f = parseFlags(['--json', '-h'], spec);
    assert.deepEqual([...f.switches].sort(), ['help', 'json']);
  });

  it('every mistake is a one-line UsageError', () => {
    for (const [args, pattern] of [
      [['--stepz', '5'], /^unknown flag --stepz$/],
      [['--steps'], /^--steps needs a value$/],
      [['--steps', '-3'], /^--steps needs a value \(write --steps=-\.\.\./],
      [['--json=1'], /^--json takes no value$/],
      [['extra'], /^unexpected argument 'extra'$/],
    ] as const) {
      assert.throws(() => parseFlags(args, spec), (e: Error) => e instanceof UsageError && pattern.test(e.message) && !e.message.includes('\n'), String(args));
    }
  });

  it('takes as many positionals as the command allows', () => {
    assert.deepEqual(parseFlags(['a', 'b', '--json'], { ...spec, positionals: Infinity }).positionals, ['a', 'b']);
  });

  it('bounds numbers and names the bound', () => {
    const f = parseFlags(['--steps', '1e9'], spec);
    assert.throws(() => numberFlag(f, 'steps', 1, intIn(1, 100), 'an integer from 1 to 100'), /--steps must be an integer from 1 to 100, got '1e9'/);
    assert.equal(numberFlag(parseFlags([], spec), 'steps', 7, intIn(1, 100), ''), 7);
    assert.throws(() => numberFlag(parseFlags(['--steps='], spec), 'steps', 1, () => true, 'a number'), UsageError);
  });
});
