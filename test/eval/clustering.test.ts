import { strict as assert } from 'node:assert';
import { adjustedRand, mutualInfo, normalizedMutualInfo, pairConfusion } from '../../src/eval/clustering.js';
import { key, uniform } from '../../src/runtime/prng.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe('eval/clustering: NMI and ARI as scikit-learn', () => {
  it('identical labelings, and any renaming of the labels, score 1', () => {
    const a = [0, 0, 1, 1, 2, 2, 2];
    close(normalizedMutualInfo(a, a), 1);
    assert.equal(adjustedRand(a, a), 1);
    const renamed = a.map((l) => [7, -3, 42][l]!);
    close(normalizedMutualInfo(a, renamed), 1);
    assert.equal(adjustedRand(a, renamed), 1);
  });

  it('single-cluster limits: both trivial give 1 (sklearn special case); one trivial gives 0', () => {
    assert.equal(normalizedMutualInfo([0, 0, 0], [5, 5, 5]), 1);
    assert.equal(adjustedRand([0, 0, 0], [5, 5, 5]), 1);
    assert.equal(normalizedMutualInfo([0, 0, 0, 0], [0, 1, 2, 3]), 0);
    assert.equal(adjustedRand([0, 0, 0, 0], [0, 1, 2, 3]), 0);
    assert.equal(normalizedMutualInfo([], []), 1);
  });

  it('a = [0,0,1,1], b = [0,0,0,1]: NMI = (3 ln2 - 1.5 ln3) / (3 ln2 - 0.75 ln3), ARI = 0', () => {
    // Contingency [[2, 0], [1, 1]]: MI = ½ln(4/3) + ¼ln(2/3) + ¼ln2 = 1.5 ln2 - 0.75 ln3,
    // H(a) = ln2, H(b) = 2 ln2 - 0.75 ln3. Pairs: Σ C(n_ij, 2) = 1 = C(2,2)·C(3,2)/C(4,2) (the expected value), so ARI = 0.
    const a = [0, 0, 1, 1];
    const b = [0, 0, 0, 1];
    close(mutualInfo(a, b), 1.5 * Math.LN2 - 0.75 * Math.log(3));
    close(normalizedMutualInfo(a, b), (3 * Math.LN2 - 1.5 * Math.log(3)) / (3 * Math.LN2 - 0.75 * Math.log(3)));
    close(normalizedMutualInfo(a, b), 0.3437110184854509, 1e-12);
    assert.equal(adjustedRand(a, b), 0);
  });

  it('a = [0,0,0,1,1,1], b = [0,0,1,1,2,2]: NMI = (4/3) ln2 / ln6, ARI = 8/33', () => {
    // MI = 2·(1/3)·ln2 (the two cells of 2; the cells of 1 contribute ln 1 = 0); H(a) = ln2, H(b) = ln3.
    // ARI: index Σ C(n_ij,2) = 2, expected 6·3/15 = 1.2, max (6 + 3)/2 = 4.5: (2 - 1.2) / (4.5 - 1.2) = 8/33.
    const a = [0, 0, 0, 1, 1, 1];
    const b = [0, 0, 1, 1, 2, 2];
    close(normalizedMutualInfo(a, b), ((4 / 3) * Math.LN2) / Math.log(6));
    close(normalizedMutualInfo(b, a), ((4 / 3) * Math.LN2) / Math.log(6));
    close(adjustedRand(a, b), 8 / 33);
    close(adjustedRand(b, a), 8 / 33);
    // sklearn's pair confusion counts ordered pairs: tp = 2·2, fn = 2·(6 - 2), fp = 2·(3 - 2), tn = 30 - 4 - 8 - 2.
    assert.deepEqual(pairConfusion(a, b), { tn: 16n, fp: 2n, fn: 8n, tp: 4n });
  });

  it("sklearn's documented values: ARI([0,0,1,1],[0,0,1,2]) = 4/7, ARI([0,0,1,1],[0,1,0,1]) = -0.5", () => {
    close(adjustedRand([0, 0, 1, 1], [0, 0, 1, 2]), 4 / 7);
    close(adjustedRand([0, 0, 1, 1], [0, 1, 0, 1]), -0.5);
    assert.equal(normalizedMutualInfo([0, 0, 1, 1], [0, 1, 0, 1]), 0);
  });

  it('independent labelings score near 0', () => {
    const n = 20000;
    const a = Uint8Array.from(uniform(key(1), n), (u) => Math.floor(u * 10));
    const b = Uint8Array.from(uniform(key(2), n), (u) => Math.floor(u * 10));
    const nmi = normalizedMutualInfo(a, b);
    const ari = adjustedRand(a, b);
    assert.ok(nmi >= 0 && nmi < 0.005, `NMI ${nmi}`);
    assert.ok(Math.abs(ari) < 0.005, `ARI ${ari}`);
  });

  it('rejects labelings of different lengths and non-integer labels', () => {
    assert.throws(() => adjustedRand([0, 1], [0]), /2 and 1 items/);
    assert.throws(() => normalizedMutualInfo([0.5], [0]), /not an integer/);
  });
});
