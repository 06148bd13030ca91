/** Every component the conformance runner knows, keyed by golden file base name. */
import type { Component } from '../component.js';
import { resmlpAffine } from './resmlp-affine.js';
import { xcitComponents } from './xcit-components.js';
import { resmlpBlockComponent } from './resmlp-block.js';
import { resmlpModelComponent } from './resmlp-model.js';
import { dinoHeadComponent } from './dino-head.js';

const all: readonly Component[] = [resmlpAffine, resmlpBlockComponent, resmlpModelComponent, dinoHeadComponent, ...xcitComponents];

export const components: Readonly<Record<string, Component>> = Object.fromEntries(all.map((c) => [c.name, c]));
