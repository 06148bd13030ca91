import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { decodeGolden, goldenArray } from '../../src/io/golden.js';

const good = () => JSON.parse(readFileSync('test/fixtures/golden/resmlp_affine.json', 'utf8')) as Record<string, unknown>;

describe('io/golden', () => {
  it('decodes every golden fixture', () => {
    for (const f of ['xca', 'lpi', 'resmlp_model', 'dino_loss', 'deepcluster_kmeans', 'pos_encoding_fourier']) {
      const decoded = decodeGolden(JSON.parse(readFileSync(`test/fixtures/golden/${f}.json`, 'utf8')));
      assert.ok(isRight(decoded), f);
    }
  });

  it('names the field of a wrong type', () => {
    const json = good();
    (json['inputs'] as Record<string, { shape: unknown[] }>)['x']!.shape[1] = 'four';
    const decoded = decodeGolden(json);
    assert.ok(isLeft(decoded));
    assert.match(decoded.left.join('\n'), /inputs\.x\.shape\.1/);
  });

  it('names a tensor whose data does not fill its shape', () => {
    const json = good();
    (json['params'] as Record<string, { data: number[] }>)['alpha']!.data.pop();
    const decoded = decodeGolden(json);
    assert.ok(isLeft(decoded));
    assert.match(decoded.left.join('\n'), /params\.alpha\.data: 15 values for shape \[16\] \(needs 16\)/);
  });

  it('names a missing section and a bad dtype', () => {
    const json = good();
    delete json['outputs'];
    (json['inputs'] as Record<string, { dtype: string }>)['x']!.dtype = 'complex';
    const decoded = decodeGolden(json);
    assert.ok(isLeft(decoded));
    const text = decoded.left.join('\n');
    assert.match(text, /outputs/);
    assert.match(text, /inputs\.x\.dtype/);
  });

  it('goldenArray checks the number of axes', () => {
    const decoded = decodeGolden(good());
    assert.ok(isRight(decoded));
    const x = decoded.right.inputs['x']!;
    assert.deepEqual(goldenArray(x, ['B', 'N', 'C']).sizes, [2, 4, 16]);
    assert.throws(() => goldenArray(x, ['B', 'C'], 'x'), /x: golden shape \[2, 4, 16\] has 3 dimensions/);
  });
});
