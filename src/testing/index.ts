/** shapegrad/testing: property-testing helpers for users' own ops and layers. */
export * from './arbitraries.js';
export {
  checkGolden, checkGoldenSync, decodeGoldenJson, formatReport, allPassed, conformanceBackends, components,
  type FileReport, type CheckLine, type ConformanceOptions, type Component, type BackendName,
} from './conformance/index.js';
export { checkGradient, assertGradient, type GradientCheckOptions, type GradientCheckResult, type GradientMismatch } from './check-gradient.js';
