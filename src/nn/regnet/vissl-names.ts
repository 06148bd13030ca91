/**
 * Parameter names of a RegNet trunk in VISSL's checkpoints (SEER) and in
 * classy-vision's state_dict (the paths of RegNetParams here):
 *
 *   _feature_blocks.conv1.stem.<rest>                ↔ stem.stem.<rest>
 *   _feature_blocks.res<s+2>.block<s+1>-<i>.<rest>   ↔ trunk_output.block<s+1>.block<s+1>-<i>.<rest>
 *
 * (VISSL's feature blocks are conv1, res2, res3, …: stage s is res<s+2>.)
 */

const VISSL_STEM = /^_feature_blocks\.conv1\.stem\.(.+)$/;
const VISSL_BLOCK = /^_feature_blocks\.res(\d+)\.block(\d+)-(\d+)\.(.+)$/;
const CLASSY_STEM = /^stem\.stem\.(.+)$/;
const CLASSY_BLOCK = /^trunk_output\.block(\d+)\.block(\d+)-(\d+)\.(.+)$/;

/** The classy-vision path of a VISSL RegNet parameter name, or a clear error when it is not one. */
export function regnetPathFromVissl(name: string): string {
  const stem = VISSL_STEM.exec(name);
  if (stem) return `stem.stem.${stem[1]}`;
  const block = VISSL_BLOCK.exec(name);
  if (block) {
    const [, res, stage, i, rest] = block as unknown as [string, string, string, string, string];
    if (Number(res) !== Number(stage) + 1) throw new Error(`${name}: feature block res${res} does not hold block${stage} (res<s+2> holds block<s+1>)`);
    return `trunk_output.block${stage}.block${stage}-${i}.${rest}`;
  }
  throw new Error(`${name}: not a VISSL RegNet trunk parameter (expected _feature_blocks.conv1.stem.* or _feature_blocks.res<k>.block<k-1>-<i>.*)`);
}

/** The VISSL name of a classy-vision RegNet parameter path, or a clear error when it is not one. */
export function regnetVisslName(path: string): string {
  const stem = CLASSY_STEM.exec(path);
  if (stem) return `_feature_blocks.conv1.stem.${stem[1]}`;
  const block = CLASSY_BLOCK.exec(path);
  if (block) {
    const [, stage, stage2, i, rest] = block as unknown as [string, string, string, string, string];
    if (stage !== stage2) throw new Error(`${path}: block${stage2}-${i} under trunk_output.block${stage}`);
    return `_feature_blocks.res${Number(stage) + 1}.block${stage}-${i}.${rest}`;
  }
  throw new Error(`${path}: not a RegNet trunk parameter path (expected stem.stem.* or trunk_output.block<s>.block<s>-<i>.*)`);
}
