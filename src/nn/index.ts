/** Layers and combinators (imported as `nn` from the package root). */
export * from './layer.js';
export * from './params.js';
export * from './init.js';
export * from './linear.js';
