/** `shapegrad demo [--steps N] [--hidden N]`: the spiral demonstration, with bounded sizes. */
import { runDemo } from './demo.js';
import { intIn, numberFlag, parseFlags } from './args.js';

export const demoUsage = `usage: shapegrad demo [--steps N] [--hidden N]
  Fits a small GELU network to two spirals by gradient descent on the float64 reference interpreter.
  --steps: 1 to 100000 (default 500); --hidden: the hidden layer's width, 1 to 1024 (default 32).`;

export function demoCommand(args: readonly string[], out: (line: string) => void, err: (line: string) => void): number {
  let steps: number;
  let hidden: number;
  try {
    const flags = parseFlags(args, { switches: [], values: ['steps', 'hidden'] });
    if (flags.switches.has('help')) {
      out(demoUsage);
      return 0;
    }
    steps = numberFlag(flags, 'steps', 500, intIn(1, 100_000), 'an integer from 1 to 100000');
    hidden = numberFlag(flags, 'hidden', 32, intIn(1, 1024), 'an integer from 1 to 1024');
  } catch (e) {
    err(`shapegrad demo: ${(e as Error).message}`);
    return 2;
  }
  const result = runDemo({ steps, hidden, perClass: 100, learningRate: 0.5, log: out });
  out(`loss ${result.losses[0]!.toFixed(4)} -> ${result.losses[result.losses.length - 1]!.toFixed(4)}`);
  return 0;
}
