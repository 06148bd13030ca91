/** RegNetY (as SEER uses it): the block with squeeze-excitation and the model. */
export * from './block.js';
export * from './regnet.js';
export * from './vissl-names.js';
