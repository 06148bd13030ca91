/** `shapegrad export --run runs/NAME --format safetensors|onnx`: a run's backbone for PyTorch (official state_dict names) or an ONNX runtime. */
import { join } from 'node:path';
import { readRunBackbone } from '../train/run-backbone.js';
import { backboneOnnx } from '../train/backbone-onnx.js';
import { writeFileAtomic } from '../train/run-dir.js';
import { writeSafetensors } from '../node/safetensors-file.js';
import { intIn, numberFlag, oneOf, parseFlags, UsageError } from './args.js';
import { outFile } from './out-file.js';

export const exportUsage = `usage: shapegrad export --run runs/NAME --format safetensors|onnx [--out FILE] [--dtype F32|F64] [--batch-size N]
  safetensors: the backbone the run evaluates (DINO: the teacher's) with the official PyTorch state_dict names,
  F32 unless --dtype F64 (default --out runs/NAME/backbone.safetensors).
  onnx: the backbone's features program with the weights inside, input images [N, H, W] (grayscale) or
  [N, 3, H, W] (RGB) in the run's size (pixels in [0, 1]), output features [N, C], N = --batch-size (default 1)
  (default --out runs/NAME/backbone.onnx).`;

export async function exportCommand(args: readonly string[], out: (line: string) => void, err: (line: string) => void): Promise<number> {
  let o;
  try {
    const flags = parseFlags(args, { switches: [], values: ['run', 'format', 'out', 'dtype', 'batch-size'] });
    if (flags.switches.has('help')) {
      out(exportUsage);
      return 0;
    }
    const run = flags.values.get('run');
    if (run === undefined || run.trim() === '') throw new UsageError('--run runs/NAME is required');
    if (!flags.values.has('format')) throw new UsageError('--format safetensors|onnx is required');
    const format = oneOf(flags, 'format', ['safetensors', 'onnx'] as const, 'safetensors');
    if (format === 'onnx' && flags.values.has('dtype')) throw new UsageError('--dtype applies to --format safetensors (ONNX models are float32)');
    if (format === 'safetensors' && flags.values.has('batch-size')) throw new UsageError('--batch-size applies to --format onnx');
    o = {
      run,
      format,
      dtype: oneOf(flags, 'dtype', ['F32', 'F64'] as const, 'F32'),
      batchSize: numberFlag(flags, 'batch-size', 1, intIn(1, 4096), 'an integer from 1 to 4096'),
      file: outFile(flags.values.get('out'), `.${format}`, join(run, `backbone.${format}`)),
    };
  } catch (e) {
    err(`shapegrad export: ${(e as Error).message}`);
    return 2;
  }
  try {
    const r = readRunBackbone(o.run);
    const what = `${r.method} / ${r.model} / ${r.dataset}, step ${r.checkpoint.step}, ${r.path}`;
    if (o.format === 'safetensors') {
      const bytes = writeSafetensors(o.file, r.params, { dtype: o.dtype, metadata: { format: 'pt', model: r.model, method: r.method, dataset: r.dataset, step: String(r.checkpoint.step), source: r.path } });
      out(`wrote ${o.file} (${bytes} bytes, ${o.dtype}; ${what})`);
    } else {
      const bytes = backboneOnnx(r.model, r.params, o.batchSize, r.image);
      writeFileAtomic(o.file, bytes);
      const input = [o.batchSize, ...(r.image.channels === 1 ? [] : [r.image.channels]), r.image.side, r.image.side];
      out(`wrote ${o.file} (${bytes.length} bytes, ONNX opset 17, images [${input.join(', ')}] -> features; ${what})`);
    }
    return 0;
  } catch (e) {
    err(`shapegrad export: ${(e as Error).message.split('\n')[0]}`);
    return 1;
  }
}
