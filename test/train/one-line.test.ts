import { strict as assert } from 'node:assert';
import { escapeControls, oneLine } from '../../src/train/one-line.js';

describe('train/one-line', () => {
  it("oneLine: an error's message with its whitespace runs collapsed, shortened with an ellipsis", () => {
    assert.equal(oneLine(new Error('a\n  b\tc ')), 'a b c');
    assert.equal(oneLine('x'.repeat(200), 10), 'xxxxxxx...');
  });

  it('escapeControls: line breaks and other control characters as escapes, the rest unchanged', () => {
    assert.equal(escapeControls('field "\nmodel"\r\t\u0000\u2028é'), 'field "\\nmodel"\\r\\t\\u0000\\u2028é');
    assert.ok(!/[\n\r\u2028]/.test(escapeControls(String.fromCharCode(...Array.from({ length: 0x2030 }, (_, i) => i)))));
  });
});
