/** DINO's Vision Transformer, as typed layers with the official parameter names. */
export * from './attention.js';
export * from './block.js';
export * from './bicubic.js';
export * from './patch-embed.js';
export * from './pos-embed.js';
export * from './vit.js';
