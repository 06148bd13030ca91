/** Layers and combinators (imported as `nn` from the package root). */
export * from './layer.js';
export * from './params.js';
export * from './init.js';
export * from './linear.js';
export * from './combinators.js';
export * from './layer-norm.js';
export * from './batch-norm.js';
export * from './activation.js';
export * from './mlp.js';
export * from './dropout.js';
export * from './conv.js';
export * from './record.js';
export * from './list.js';
/** XCiT's parts: cross-covariance attention, local patch interaction, class attention, and the network. */
export * as xcit from './xcit/index.js';
export * from './resmlp/affine.js';
export * from './resmlp/cross-patch.js';
export * from './resmlp/resmlp-block.js';
export * from './resmlp/resmlp.js';
export * from './dino-head.js';
/** RegNet Y (SEER's trunk): blocks, stages and the network. */
export * as regnet from './regnet/index.js';
/** DINO's Vision Transformer: token attention, blocks, patch embedding, positional-encoding interpolation and the network. */
export * as vit from './vit/index.js';
