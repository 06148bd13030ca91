import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

describe('README', () => {
  it("shows the example exactly as examples/readme-example.ts (the first TypeScript block of 'A first program'), which runs", () => {
    const readme = readFileSync('README.md', 'utf8').split('\n## A first program\n')[1] ?? '';
    const example = readFileSync('examples/readme-example.ts', 'utf8');
    const block = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.equal(block, example);
    const out = execFileSync(process.execPath, ['dist/examples/readme-example.js'], { encoding: 'utf8' });
    assert.match(out, /loss 16\.26/);
    assert.match(out, /einsum 'B C, C D -> B D' x w/);
  });
});
