/** shapegrad/testing: property-testing helpers for users' own ops and layers. */
export * from './arbitraries.js';
export { checkGradient, assertGradient, type GradientCheckOptions, type GradientCheckResult, type GradientMismatch } from './check-gradient.js';
