/** Optimisers and schedules (imported as `optim` from the package root). */
export * from './schedules.js';
