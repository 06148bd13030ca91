#!/usr/bin/env node
/** The shapegrad command line; the default job is `train`. */
import { runDemo } from './demo.js';
import { conformanceCommand } from './conformance.js';
import { trainCommand, trainUsage } from './train.js';
import { evalCommand, evalUsage } from './eval.js';

const usage = `usage: shapegrad train [flags]          (npm start: DINO, tiny XCiT, MNIST, 5 minutes, then k-NN)
       shapegrad eval --run runs/NAME [flags]   (re-evaluate a run's checkpoint)
       shapegrad demo [--steps N] [--hidden N]
       shapegrad conformance <golden-file-or-folder> [--backend reference|cpu|webasm|headlessgl]

  train         self-supervised training (DINO, SwAV, PAWS) and k-NN evaluation (shapegrad train --help)
  eval          the k-NN table of a run's checkpoint, without training
  demo          fit a small GELU network to two spirals by gradient descent,
                traced once and run on the float64 reference interpreter
  conformance   check components against golden vectors from the official code`;

function flag(args: readonly string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v <= 0) {
    process.stderr.write(`--${name} needs a positive integer, got ${args[i + 1] ?? 'nothing'}\n`);
    process.exit(2);
  }
  return v;
}

function main(args: readonly string[]): void {
  const named = args[0] !== undefined && !args[0].startsWith('--');
  const command = named ? args[0]! : 'train';
  const rest = named ? args.slice(1) : args;
  if (command === 'help' || args.includes('--help')) {
    process.stdout.write(`${usage}\n${trainUsage}\n${evalUsage}\n`);
    return;
  }
  if (command === 'train') {
    void trainCommand(rest, (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`)).then((code) => {
      process.exitCode = code;
    });
    return;
  }
  if (command === 'eval') {
    void evalCommand(rest, (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`)).then((code) => {
      process.exitCode = code;
    });
    return;
  }
  if (command === 'conformance') {
    void conformanceCommand(rest, (line) => process.stdout.write(`${line}\n`)).then((code) => {
      process.exitCode = code;
    });
    return;
  }
  if (command !== 'demo') {
    process.stderr.write(`unknown command ${command}\n${usage}\n`);
    process.exit(2);
  }
  const result = runDemo({
    steps: flag(args, 'steps', 500),
    hidden: flag(args, 'hidden', 32),
    perClass: 100,
    learningRate: 0.5,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  const first = result.losses[0]!;
  const last = result.losses[result.losses.length - 1]!;
  process.stdout.write(`loss ${first.toFixed(4)} -> ${last.toFixed(4)}\n`);
}

main(process.argv.slice(2));
