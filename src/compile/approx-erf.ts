/**
 * The erf every compiled kernel computes: a rational function fitted (Lawson's minimax
 * iteration, this project's own fit) to erf on [0, 3.9],
 * erf(x) ≈ c P(c²) / Q(c²) with c = x clamped to [-3.9, 3.9], P and Q of degree 5;
 * |error| < 1.5e-8 in float64, about 3.5e-7 when evaluated in float32 (the earlier
 * Abramowitz–Stegun 7.1.26 form gave 5.3e-7 in float32, with an exp and a division). No exp:
 * in f32x4 it is 25 instructions, half the earlier form's. The coefficients are written once here;
 * the gpu.js source, the GLSL helper, the wasm import and the wasm f32x4 code are all derived
 * from them, so they cannot drift. (The interpreter uses the float64-exact erf of ops/special/erf.ts.)
 */

/** Where erf is clamped: erf(3.9) = 1 - 3.5e-8, 1 in float32. */
export const ERF_CLAMP = 3.9;

/** P's coefficients from the highest power down (Horner order). */
export const ERF_NUMERATOR: readonly number[] = [2.0503305586949683e-6, 0.00028745183823339, 0.003836835020069238, 0.052966772010391336, 0.1919406591544072, 1.1283790324645655];

/** Q's coefficients from the highest power down (Horner order). */
export const ERF_DENOMINATOR: readonly number[] = [3.822987135862488e-5, 0.001181716176575174, 0.015109124069104824, 0.11475796595498826, 0.5034347592741727, 1];

/** The approximation in float64 (the wasm backend imports it for scalar code). */
export function approxErf(x: number): number {
  const c = Math.min(ERF_CLAMP, Math.max(-ERF_CLAMP, x));
  const u = c * c;
  return (c * horner(ERF_NUMERATOR, u)) / horner(ERF_DENOMINATOR, u);
}

function horner(coefs: readonly number[], u: number): number {
  let p = coefs[0]!;
  for (let i = 1; i < coefs.length; i++) p = p * u + coefs[i]!;
  return p;
}

/** A number as a float literal JavaScript and GLSL both read (GLSL has no implicit int to float). */
function floatText(k: number): string {
  const s = String(k);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** `(((k0 * u + k1) * u + …) + kn)`: a polynomial as source text in variable `u`. */
export function polynomialText(coefs: readonly number[], u: string): string {
  const [first, ...rest] = coefs;
  let text = floatText(first!);
  for (const k of rest) text = `(${text} * ${u} ${k < 0 ? '-' : '+'} ${floatText(Math.abs(k))})`;
  return text;
}

/** The source of gpu.js's `erf(x)` (added to the gpu.js instance with addFunction). */
export const erfFunctionSource = `function erf(x) {
  const c = Math.min(${floatText(ERF_CLAMP)}, Math.max(-${floatText(ERF_CLAMP)}, x));
  const u = c * c;
  return (c * ${polynomialText(ERF_NUMERATOR, 'u')}) / ${polynomialText(ERF_DENOMINATOR, 'u')};
}`;

/** The GLSL helper `erf_(x)` of the WebGL2 renderer. */
export const erfGlslSource = `float erf_(float x) {
  float c = clamp(x, -${floatText(ERF_CLAMP)}, ${floatText(ERF_CLAMP)});
  float u = c * c;
  return (c * ${polynomialText(ERF_NUMERATOR, 'u')}) / ${polynomialText(ERF_DENOMINATOR, 'u')};
}`;
