export * from './component.js';
export * from './compare.js';
export * from './golden-check.js';
export { components } from './components/index.js';
