/** Every component the conformance runner knows, keyed by golden file base name. */
import type { Component } from '../component.js';
import { resmlpAffine } from './resmlp-affine.js';

const all: readonly Component[] = [resmlpAffine];

export const components: Readonly<Record<string, Component>> = Object.fromEntries(all.map((c) => [c.name, c]));
