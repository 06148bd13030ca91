/**
 * Checkpoints: everything a run needs to continue bit-for-bit, as one JSON file.
 *
 * On disk (format 'shapegrad-checkpoint', version 1):
 *
 *   { "format": "shapegrad-checkpoint", "version": 1,
 *     "method": "dino", "model": "xcit-tiny", "dataset": "mnist",
 *     "config": { ... }, "step": 1200, "epoch": 3, "key": [hi, lo],
 *     "tensors": { "params.blocks.0.attn.qkv.weight":
 *                    { "axes": ["C", "D"], "sizes": [64, 192], "dtype": "float64",
 *                      "encoding": "base64-f64le", "sha256": "<hex>", "data": "<base64>" }, ... },
 *     "metrics": [ { "step": 1200, ... }, ... ],
 *     "schedule": { "totalSteps": 3000, "elapsedMs": 61234 }, "checksum": "sha256:<hex>" }
 *
 * `schedule` (optional, see schedule-plan.ts) is the span of the schedules,
 * fixed when the run began, and the training time spent so far.
 *
 * Tensor data: the float64 values in row-major order, each as 8 bytes
 * little-endian (IEEE 754 binary64), concatenated and base64-encoded (RFC 4648,
 * standard alphabet, with padding). Lossless (NaN payloads and -0 included)
 * and ~1.33 bytes per byte of data. `sha256` is the hex SHA-256 of those raw
 * bytes, so a flipped character that still decodes is caught. For hand-written
 * files a tensor may instead give `data` as a plain JSON array of numbers (no
 * encoding, no sha256).
 *
 * The last field, `checksum`, is 'sha256:<hex>' of JSON.stringify of the
 * parsed record without it, so a flipped step, key or config value is caught
 * too. It is optional on read (delete it to load a file edited by hand).
 *
 * Tensor names are dotted paths made by {@link flattenToTensors} from one tree
 * (e.g. { params, teacher, optimizer, objective }); {@link unflattenFromTensors}
 * rebuilds a tree of the same structure and checks every tensor by path.
 *
 * Writes are atomic (see writeFileAtomic); every read failure is a
 * {@link CheckpointError} whose message is one line naming the file and field.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import type { NDArray } from '../runtime/ndarray.js';
import { numelOf } from '../runtime/ndarray.js';
import type { Key } from '../runtime/prng.js';
import { flattenTree, unflattenTree } from '../ir/tree.js';
import { oneLine, writeFileAtomic, type AtomicWriteHooks } from './run-dir.js';
import { CheckpointError, isNDArray, show } from './tensor-tree.js';

export { CheckpointError, flattenToTensors, unflattenFromTensors } from './tensor-tree.js';
import type { MetricRecord } from './metrics.js';
import type { SchedulePlan } from './schedule-plan.js';

/** The format name a checkpoint's metadata carries. */
export const CHECKPOINT_FORMAT = 'shapegrad-checkpoint';
/** The checkpoint format's version. */
export const CHECKPOINT_VERSION = 1;
export const TENSOR_ENCODING = 'base64-f64le';

/** A checkpoint in memory (format and version are added on write and checked on read). */
export interface Checkpoint {
  readonly method: string;
  readonly model: string;
  readonly dataset: string;
  /** The run's configuration (flags), JSON-serialisable. */
  readonly config: Readonly<Record<string, unknown>>;
  /** Optimizer steps completed. */
  readonly step: number;
  readonly epoch: number;
  /** The PRNG key to continue from. */
  readonly key: Key;
  /** Every tensor by dotted path: parameters, teacher, optimizer state, objective state. */
  readonly tensors: Readonly<Record<string, NDArray>>;
  /** Recent metrics history. */
  readonly metrics: readonly MetricRecord[];
  /** The span of the schedules and the training time so far (absent in older checkpoints). */
  readonly schedule?: SchedulePlan;
}

// ---------------------------------------------------------------- encoding

/** float64 values -> base64 of their little-endian bytes. */
export function encodeFloat64(data: Float64Array): { data: string; sha256: string } {
  let bytes: Buffer;
  if (LITTLE_ENDIAN) bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  else {
    bytes = Buffer.alloc(data.length * 8);
    for (let i = 0; i < data.length; i++) bytes.writeDoubleLE(data[i]!, i * 8);
  }
  return { data: bytes.toString('base64'), sha256: createHash('sha256').update(bytes).digest('hex') };
}

const LITTLE_ENDIAN = endianness() === 'LE';
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** base64 of little-endian float64 bytes -> values, or a problem (one phrase). */
export function decodeFloat64(text: string, count: number, sha256?: string): Float64Array | string {
  if (text.length % 4 !== 0 || !BASE64.test(text)) {
    const bad = [...text].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
    return bad >= 0 ? `invalid base64 character ${JSON.stringify(text[bad])} at ${bad}` : `invalid base64 (length ${text.length} is not a multiple of 4)`;
  }
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== count * 8) return `${bytes.length} bytes, needs ${count * 8} (${count} float64 values) for its sizes`;
  if (sha256 !== undefined) {
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256.toLowerCase()) return 'checksum mismatch (sha256), the data is corrupted';
  }
  const out = new Float64Array(count);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(bytes);
  else for (let i = 0; i < count; i++) out[i] = bytes.readDoubleLE(i * 8);
  return out;
}

// ---------------------------------------------------------------- codecs

const RawTensor = t.intersection(
  [
    t.type({ axes: t.array(t.string), sizes: t.array(t.number), data: t.union([t.string, t.array(t.number)], 'base64 string or number[]') }),
    t.partial({ dtype: t.literal('float64'), encoding: t.literal(TENSOR_ENCODING), sha256: t.string }),
  ],
  'tensor { axes, sizes, data }',
);
type RawTensor = t.TypeOf<typeof RawTensor>;

const RawMetric = t.intersection([t.type({ step: t.number }), t.UnknownRecord], 'metric record { step, ... }');

const RawCheckpoint = t.intersection([t.type({
  format: t.literal(CHECKPOINT_FORMAT),
  version: t.literal(CHECKPOINT_VERSION),
  method: t.string,
  model: t.string,
  dataset: t.string,
  config: t.UnknownRecord,
  step: t.number,
  epoch: t.number,
  key: t.tuple([t.number, t.number]),
  tensors: t.record(t.string, RawTensor, 'record of tensors'),
  metrics: t.array(RawMetric, 'array of metric records'),
}), t.partial({ schedule: t.type({ totalSteps: t.number, elapsedMs: t.number }, 'schedule { totalSteps, elapsedMs }') })]);

/** The JSON text of a checkpoint (what writeCheckpoint writes). */
export function serializeCheckpoint(ckpt: Checkpoint, file = ''): string {
  const cannot = `cannot write checkpoint${file === '' ? '' : ` ${file}`}`;
  const tensors: Record<string, unknown> = {};
  for (const [name, x] of Object.entries(ckpt.tensors)) {
    if (!isNDArray(x)) throw new CheckpointError(`${cannot}: tensor ${name} is not an NDArray with float64 data`, file, name);
    if (x.data.length !== numelOf(x.sizes)) throw new CheckpointError(`${cannot}: tensor ${name} has ${x.data.length} values for shape ${show(x.axes, x.sizes)}`, file, name);
    const enc = encodeFloat64(x.data);
    tensors[name] = { axes: [...x.axes], sizes: [...x.sizes], dtype: 'float64', encoding: TENSOR_ENCODING, sha256: enc.sha256, data: enc.data };
  }
  const { method, model, dataset, config, step, epoch, key, metrics, schedule } = ckpt;
  const plan = schedule === undefined ? {} : { schedule: { totalSteps: schedule.totalSteps, elapsedMs: schedule.elapsedMs } };
  // a JSON round trip first, so the checksum is over exactly what a reader will parse
  const record = JSON.parse(JSON.stringify({ format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, method, model, dataset, config, step, epoch, key: [key[0], key[1]], tensors, metrics, ...plan })) as Record<string, unknown>;
  return `${JSON.stringify({ ...record, checksum: checksumOf(record) })}\n`;
}

const CHECKPOINT_FIELDS: readonly string[] = ['format', 'version', 'method', 'model', 'dataset', 'config', 'step', 'epoch', 'key', 'tensors', 'metrics', 'schedule', 'checksum'];

/** 'sha256:<hex>' of the record's JSON text (without its checksum field). */
function checksumOf(record: Readonly<Record<string, unknown>>): string {
  return `sha256:${createHash('sha256').update(JSON.stringify(record)).digest('hex')}`;
}

/** Write a checkpoint atomically (temporary file in the same folder, fsync, rename). */
export function writeCheckpoint(path: string, ckpt: Checkpoint, hooks: AtomicWriteHooks = {}): void {
  writeFileAtomic(path, serializeCheckpoint(ckpt, path), hooks);
}

/** What the caller expects the checkpoint to be (a mismatch is an error naming the field). */
export interface ExpectedCheckpoint {
  readonly method?: string;
  readonly model?: string;
  readonly dataset?: string;
}

/**
 * The first io-ts error as 'field: expected T, got V'. The keys io-ts adds for
 * the members of an intersection or union are not fields, so they are left
 * out, and a failed union is reported as the union (not as its last member).
 */
function ioTsProblem(errors: t.Errors): { field: string; message: string } {
  const describe = (e: t.ValidationError) => {
    const keys: string[] = [];
    let expected = 'a value';
    let value: unknown = e.value;
    for (let j = 0; j < e.context.length; j++) {
      const c = e.context[j]!;
      const parent = e.context[j - 1]?.type;
      if (!(parent instanceof t.IntersectionType || parent instanceof t.UnionType) && c.key !== '') keys.push(c.key);
      expected = c.type.name;
      if (c.type instanceof t.UnionType) {
        value = c.actual;
        break;
      }
    }
    return { field: keys.join('.') || '(root)', expected, value };
  };
  const all = errors.map(describe);
  const first = all[0]!;
  const others = new Set(all.map((d) => d.field)).size - 1;
  const problem = first.value === undefined ? `missing (expected ${first.expected})` : `expected ${first.expected}, got ${(JSON.stringify(first.value) ?? String(first.value)).slice(0, 40)}`;
  return { field: first.field, message: `${first.field}: ${problem}${others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : ''}` };
}

/** Decode an already-parsed checkpoint; `file` names it in errors. */
export function decodeCheckpoint(json: unknown, file: string, expected: ExpectedCheckpoint = {}): Checkpoint {
  const fail = (field: string, message: string): never => {
    throw new CheckpointError(`checkpoint ${file}: ${field === '' ? '' : `${field}: `}${message}`, file, field || undefined);
  };
  if (json === null || typeof json !== 'object' || Array.isArray(json)) fail('', 'not a shapegrad checkpoint (expected a JSON object)');
  const obj = json as Record<string, unknown>;
  if (obj['format'] !== CHECKPOINT_FORMAT) fail('format', `not a shapegrad checkpoint (format is ${JSON.stringify(obj['format'])?.slice(0, 40) ?? 'missing'}, expected "${CHECKPOINT_FORMAT}")`);
  if (obj['version'] === undefined) fail('version', `missing (this shapegrad reads version ${CHECKPOINT_VERSION})`);
  if (obj['version'] !== CHECKPOINT_VERSION) fail('version', `version ${JSON.stringify(obj['version'])?.slice(0, 20)} is not supported (this shapegrad reads version ${CHECKPOINT_VERSION})`);
  // an unknown field is refused: a renamed "checksum" key would otherwise switch verification off
  const unknown = Object.keys(obj).find((k) => !CHECKPOINT_FIELDS.includes(k));
  if (unknown !== undefined) fail(unknown.slice(0, 40), `unknown field ${JSON.stringify(unknown).slice(0, 40)} (a checkpoint has ${CHECKPOINT_FIELDS.join(', ')})`);
  const decoded = RawCheckpoint.decode(json);
  if (isLeft(decoded)) {
    const p = ioTsProblem(decoded.left);
    throw new CheckpointError(`checkpoint ${file}: ${p.message}`, file, p.field);
  }
  const raw = decoded.right;
  for (const f of ['method', 'model', 'dataset'] as const) {
    const want = expected[f];
    if (want !== undefined && raw[f] !== want) fail(f, `this checkpoint is for ${f} ${JSON.stringify(raw[f])}, not ${JSON.stringify(want)}`);
  }
  if (!Number.isInteger(raw.step) || raw.step < 0) fail('step', `${raw.step} is not a step count`);
  if (!Number.isFinite(raw.epoch) || raw.epoch < 0) fail('epoch', `${raw.epoch} is not an epoch`);
  raw.key.forEach((w, i) => {
    if (!Number.isInteger(w) || w < 0 || w > 0xffffffff) fail(`key.${i}`, `${w} is not a uint32 word`);
  });
  if (raw.schedule !== undefined) {
    if (!Number.isInteger(raw.schedule.totalSteps) || raw.schedule.totalSteps < 1) fail('schedule.totalSteps', `${raw.schedule.totalSteps} is not a positive step count`);
    if (!Number.isFinite(raw.schedule.elapsedMs) || raw.schedule.elapsedMs < 0) fail('schedule.elapsedMs', `${raw.schedule.elapsedMs} is not a duration`);
  }
  const tensors: Record<string, NDArray> = {};
  for (const [name, x] of Object.entries(raw.tensors)) tensors[name] = decodeTensor(name, x, fail);
  // last, so that a bad field is reported by name first
  if (obj['checksum'] !== undefined) {
    const { checksum, ...rest } = obj;
    if (typeof checksum !== 'string' || checksum !== checksumOf(rest)) fail('checksum', 'the file does not match its checksum: it is corrupted (or was edited by hand: delete the "checksum" field to load an edited file)');
  }
  return {
    method: raw.method,
    model: raw.model,
    dataset: raw.dataset,
    config: raw.config,
    step: raw.step,
    epoch: raw.epoch,
    key: [raw.key[0], raw.key[1]],
    tensors,
    metrics: raw.metrics as MetricRecord[],
    ...(raw.schedule === undefined ? {} : { schedule: { totalSteps: raw.schedule.totalSteps, elapsedMs: raw.schedule.elapsedMs } }),
  };
}

function decodeTensor(name: string, x: RawTensor, fail: (field: string, message: string) => never): NDArray {
  const field = `tensors.${name}`;
  if (x.axes.length !== x.sizes.length) fail(field, `${x.axes.length} axes [${x.axes.join(', ')}] but ${x.sizes.length} sizes [${x.sizes.join(', ')}]`);
  const bad = x.sizes.findIndex((n) => !Number.isInteger(n) || n < 0);
  if (bad >= 0) fail(`${field}.sizes.${bad}`, `${x.sizes[bad]} is not a size`);
  const count = numelOf(x.sizes);
  let data: Float64Array;
  if (typeof x.data === 'string') {
    if (x.encoding !== TENSOR_ENCODING) fail(`${field}.encoding`, `expected "${TENSOR_ENCODING}" for string data, got ${JSON.stringify(x.encoding) ?? 'nothing'}`);
    const decoded = decodeFloat64(x.data, count, x.sha256);
    if (typeof decoded === 'string') fail(`${field}.data`, decoded.replace('for its sizes', `for shape ${show(x.axes, x.sizes)}`));
    data = decoded as Float64Array;
  } else {
    if (x.data.length !== count) fail(`${field}.data`, `${x.data.length} values for shape ${show(x.axes, x.sizes)} (needs ${count})`);
    data = Float64Array.from(x.data);
  }
  return { axes: x.axes, sizes: x.sizes, data };
}

/**
 * Read and validate a checkpoint. Every failure (missing file, a folder,
 * truncated or corrupted JSON, wrong format or version, a tensor whose data
 * does not fill its sizes or fails its checksum, a method/model/dataset other
 * than expected) is a {@link CheckpointError} with one line naming the file
 * and the field.
 */
export function readCheckpoint(path: string, expected: ExpectedCheckpoint = {}): Checkpoint {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'permission denied' : oneLine(e);
    throw new CheckpointError(`checkpoint ${path}: ${why}`, path);
  }
  if (text.trim() === '') throw new CheckpointError(`checkpoint ${path}: the file is empty`, path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`checkpoint ${path}: not valid JSON, the file is truncated or corrupted (${oneLine(e, 100)})`, path);
  }
  return decodeCheckpoint(json, path, expected);
}
