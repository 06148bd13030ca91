import { strict as assert } from 'node:assert';
import { explainTypeErrors, typeErrors } from '../../src/testing/typecheck.js';

// 'shapegrad' resolves from the repository root to the built declarations (the package's self-reference).
describe('testing/typecheck', function () {
  this.timeout(120000);

  it('finds no error in a correct snippet, and the line of an error in a wrong one', () => {
    const prelude = "import * as sg from 'shapegrad';\ndeclare const x: sg.Tensor<['B', 'C']>;\n";
    assert.deepEqual(typeErrors(`${prelude}sg.add(x, x);`), []);
    const errors = typeErrors(`${prelude}sg.add(x, sg.transpose(x, ['C', 'B']));`);
    assert.equal(errors.length, 1);
    assert.equal(errors[0]!.line, 3);
    assert.match(errors[0]!.message, /not assignable/);
  });

  it('explains as text: "compiles", or one line per error', () => {
    assert.equal(explainTypeErrors('const n: number = 1;'), 'compiles');
    assert.match(explainTypeErrors("const s: string = 1;"), /^line 1: Type 'number' is not assignable to type 'string'/);
  });
});
