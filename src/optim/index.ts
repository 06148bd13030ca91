/** Optimisers and schedules (imported as `optim` from the package root). */
export * from './schedules.js';
export * from './optimizer.js';
export * from './sgd.js';
export * from './adamw.js';
export * from './lars.js';
export * from './clip-gradients.js';
