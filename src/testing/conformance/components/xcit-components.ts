/** Every XCiT conformance component, for registration in one line (`...xcitComponents`). */
import type { Component } from '../component.js';
import { xcitXca } from './xcit-xca.js';
import { xcitLpi } from './xcit-lpi.js';
import { xcitXcaBlock } from './xcit-xcablock.js';
import { xcitClassAttention } from './xcit-class-attention.js';
import { xcitClassAttentionBlock } from './xcit-class-attention-block.js';
import { xcitPosEncodingFourier } from './xcit-pos-encoding-fourier.js';
import { xcitConvPatchEmbed } from './xcit-conv-patch-embed.js';

export { xcitXca, xcitLpi, xcitXcaBlock, xcitClassAttention, xcitClassAttentionBlock, xcitPosEncodingFourier, xcitConvPatchEmbed };

export const xcitComponents: readonly Component[] = [xcitXca, xcitLpi, xcitXcaBlock, xcitClassAttention, xcitClassAttentionBlock, xcitPosEncodingFourier, xcitConvPatchEmbed];

/** The same, keyed by golden file base name (pass as `checkFile(path, { components: xcitComponentRecord })`). */
export const xcitComponentRecord: Readonly<Record<string, Component>> = Object.fromEntries(xcitComponents.map((c) => [c.name, c]));
