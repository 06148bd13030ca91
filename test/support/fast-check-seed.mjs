// Loaded by mocha before the suite: when SHAPEGRAD_FC_SEED is set, every fast-check property
// draws from that seed, so a run can be replayed exactly (CI sets it from the commit, which
// makes a commit's CI outcome the same on every machine). Unset, each run draws fresh seeds.
import fc from 'fast-check';

const raw = process.env.SHAPEGRAD_FC_SEED;
if (raw !== undefined && raw !== '') {
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new Error(`SHAPEGRAD_FC_SEED must be an integer, got "${raw}"`);
  fc.configureGlobal({ seed });
  console.log(`fast-check seed ${seed} (SHAPEGRAD_FC_SEED)`);
}
