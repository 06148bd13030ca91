/** XCiT: cross-covariance image transformers, as typed layers with the official parameter names. */
export * from './heads.js';
export * from './xca.js';
export * from './lpi.js';
export * from './class-attention.js';
export * from './class-attention-block.js';
export * from './conv-patch-embed.js';
export * from './fourier-positions.js';
export * from './xca-block.js';
export * from './xcit.js';
