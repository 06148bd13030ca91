import { strict as assert } from 'node:assert';
import { accessSync, constants, readFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';

describe('cli/bin', () => {
  it('package.json names a committed, executable bin outside dist/, so a rebuild cannot drop its execute bit', () => {
    const bin = (JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> }).bin['shapegrad']!;
    assert.ok(!bin.includes('dist/'), bin);
    accessSync(bin, constants.X_OK);
    const mode = execFileSync('git', ['ls-files', '-s', bin], { encoding: 'utf8' }).split(' ')[0];
    assert.equal(mode, '100755', `git records ${bin} with mode ${mode}`);
  });

  it('npx shapegrad --help runs it', () => {
    // With a fresh npx cache, npx links the project and runs its prepare script, which would
    // rebuild dist/src under the running suite: scripts off, as for any installed package's bin.
    const r = spawnSync('npx', ['--no-install', 'shapegrad', '--help'], { encoding: 'utf8', env: { ...process.env, npm_config_ignore_scripts: 'true' } });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout + r.stderr, /usage: shapegrad train/);
  });
});
