export * from './component.js';
export * from './compare.js';
export * from './runner.js';
export { components } from './components/index.js';
