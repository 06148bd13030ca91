/**
 * A foreground and a background colour from six uniforms: the foreground is the first
 * three, and the background is the foreground moved by at least 0.5 (modulo 1) on one
 * channel, so the two always differ visibly whatever the draw.
 */

/** An RGB colour, each channel in [0, 1). */
export type Rgb = readonly [number, number, number];

/** The colours from u[at], ..., u[at + 5]: foreground (3), the channel that moves, how far it moves, how far the others move. */
export function contrastingColours(u: ArrayLike<number>, at = 0): { readonly fg: Rgb; readonly bg: Rgb } {
  const fg: Rgb = [u[at]!, u[at + 1]!, u[at + 2]!];
  const moved = Math.floor(u[at + 3]! * 3) % 3;
  const bg = fg.map((v, c) => (c === moved ? (v + 0.5 + 0.3 * u[at + 4]!) % 1 : (v + u[at + 5]! * 0.6) % 1)) as unknown as Rgb;
  return { fg, bg };
}
