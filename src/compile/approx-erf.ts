/**
 * The erf every compiled kernel computes: Abramowitz–Stegun 7.1.26,
 * erf(x) ≈ sign(x) (1 - t (a1 + t (a2 + ... + t a5)) e^{-x²}) with t = 1 / (1 + p |x|),
 * |error| < 1.5e-7 (below float32's resolution near 1). The coefficients are
 * written once here; the gpu.js source, the GLSL helper, the wasm import and
 * the wasm f32x4 polynomial are all derived from them, so they cannot drift.
 * (The interpreter uses the float64-exact erf of ops/special/erf.ts.)
 */

/** p of t = 1 / (1 + p |x|). */
export const ERF_P = 0.3275911;

/** a5, a4, ..., a1: the polynomial's coefficients from the highest power down (Horner order). */
export const ERF_COEFFICIENTS: readonly number[] = [1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592];

/** The approximation in float64 (the wasm backend imports it for scalar code). */
export function approxErf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + ERF_P * a);
  let p = ERF_COEFFICIENTS[0]!;
  for (let i = 1; i < ERF_COEFFICIENTS.length; i++) p = p * t + ERF_COEFFICIENTS[i]!;
  return s * (1 - p * t * Math.exp(-a * a));
}

/** `((((a5 * t - …) * t + …) * t + a1) * t`: the polynomial as source text in variable `t`. */
export function erfPolynomialText(t: string): string {
  const [first, ...rest] = ERF_COEFFICIENTS;
  let text = String(first);
  for (const k of rest) text = `(${text} * ${t} ${k < 0 ? '-' : '+'} ${Math.abs(k)})`;
  return `${text} * ${t}`;
}

/** The source of gpu.js's `erf(x)` (added to the gpu.js instance with addFunction). */
export const erfFunctionSource = `function erf(x) {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + ${ERF_P} * a);
  const p = ${erfPolynomialText('t')};
  return s * (1 - p * Math.exp(-a * a));
}`;

/** The GLSL helper `erf_(x)` of the WebGL2 renderer. */
export const erfGlslSource = `float erf_(float x) {
  float a = abs(x);
  float t = 1.0 / (1.0 + ${ERF_P} * a);
  float p = ${erfPolynomialText('t')};
  return sign(x) * (1.0 - p * exp(-a * a));
}`;
