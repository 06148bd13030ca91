#!/usr/bin/env node
/** The shapegrad command line: a command and its flags; bare `shapegrad` prints the help. */
import { demoCommand, demoUsage } from './demo-command.js';
import { conformanceCommand, conformanceUsage } from './conformance.js';
import { trainCommand, trainUsage } from './train.js';
import { evalCommand, evalUsage } from './eval.js';
import { exportCommand, exportUsage } from './export.js';
import { featuresCommand, featuresUsage } from './features.js';
import { packageVersion } from './version.js';

const usage = `usage: shapegrad <command> [flags]     (shapegrad <command> --help for its flags)
       shapegrad --help | --version

  train         self-supervised training (DINO, SwAV, PAWS, DeepCluster) and k-NN evaluation
                (npm start: DINO, tiny XCiT, MNIST, 5 minutes, then k-NN)
  eval          the k-NN table of a run's checkpoint or of backbone weights, without training
  export        a run's backbone as safetensors (official PyTorch names) or ONNX
  features      the features of a dataset split as a safetensors file
  demo          fit a small GELU network to two spirals by gradient descent,
                traced once and run on the float64 reference interpreter
  conformance   check components against golden vectors from the official code`;

type Command = (args: readonly string[], out: (line: string) => void, err: (line: string) => void) => number | Promise<number>;

const commands: Readonly<Record<string, readonly [Command, string]>> = {
  train: [trainCommand, trainUsage],
  eval: [evalCommand, evalUsage],
  export: [exportCommand, exportUsage],
  features: [featuresCommand, featuresUsage],
  demo: [demoCommand, demoUsage],
  conformance: [conformanceCommand, conformanceUsage],
};

const out = (line: string) => process.stdout.write(`${line}\n`);
const err = (line: string) => process.stderr.write(`${line}\n`);

async function main(args: readonly string[]): Promise<number> {
  const first = args[0];
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    out(`${usage}\n\n${[trainUsage, evalUsage, exportUsage, featuresUsage, demoUsage, conformanceUsage].join('\n\n')}`);
    return 0;
  }
  if (first === '--version' || first === '-v') {
    out(packageVersion());
    return 0;
  }
  const command = Object.hasOwn(commands, first) ? commands[first] : undefined;
  if (command === undefined) {
    err(`shapegrad: unknown ${first.startsWith('-') ? 'flag' : 'command'} ${first}\n${usage}`);
    return 2;
  }
  return command[0](args.slice(1), out, err);
}

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
