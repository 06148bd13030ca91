/** Pruning: magnitude masks, masked layers, iterative pruning with rewinding, sparsity reports. */
export { magnitudeMasks, pruneRemaining, onesMasks, maskSparsity, weightsOnly, everything, leavesWithPaths, prunableValues, type Masks, type Prunable, type Scope, type MaskOptions, type PruneOptions } from './masks.js';
export { applyMasks, maskValues, materialize, masked } from './masked.js';
export { iterativePruning, type TrainStep, type IterativePruningOptions, type IterativePruningResult, type PruningRound } from './lottery.js';
export { sparsityReport, formatSparsity, type SparsityEntry, type SparsityReport, type SparsityOptions } from './report.js';
