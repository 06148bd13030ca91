/**
 * A small WebAssembly binary writer, written by hand (no dependency): LEB128,
 * the sections a kernel module needs (type, import, function, export, code)
 * and the instructions the renderer emits. Opcodes follow the WebAssembly
 * core specification 2.0 (with the saturating truncation and SIMD prefixes).
 */

export const enum ValType {
  i32 = 0x7f,
  f32 = 0x7d,
  v128 = 0x7b,
}

/** Instruction opcodes (single byte unless noted). */
export const Op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  br_if: 0x0d,
  call: 0x10,
  drop: 0x1a,
  select: 0x1b,
  local_get: 0x20,
  local_set: 0x21,
  local_tee: 0x22,
  i32_load: 0x28,
  f32_load: 0x2a,
  f32_store: 0x38,
  i32_const: 0x41,
  f32_const: 0x43,
  i32_eqz: 0x45,
  i32_eq: 0x46,
  i32_ne: 0x47,
  i32_lt_s: 0x48,
  i32_gt_s: 0x4a,
  i32_le_s: 0x4c,
  i32_ge_s: 0x4e,
  f32_eq: 0x5b,
  f32_ne: 0x5c,
  f32_lt: 0x5d,
  f32_gt: 0x5e,
  f32_le: 0x5f,
  f32_ge: 0x60,
  i32_add: 0x6a,
  i32_sub: 0x6b,
  i32_mul: 0x6c,
  i32_div_s: 0x6d,
  i32_rem_s: 0x6f,
  i32_and: 0x71,
  i32_or: 0x72,
  i32_xor: 0x73,
  i32_shl: 0x74,
  i32_shr_s: 0x75,
  f32_abs: 0x8b,
  f32_neg: 0x8c,
  f32_floor: 0x8e,
  f32_sqrt: 0x91,
  f32_add: 0x92,
  f32_sub: 0x93,
  f32_mul: 0x94,
  f32_div: 0x95,
  f32_min: 0x96,
  f32_max: 0x97,
  f32_convert_i32_s: 0xb2,
  /** Prefix 0xFC: saturating truncation (sub-opcode 0 = i32.trunc_sat_f32_s). */
  prefix_fc: 0xfc,
  /** Prefix 0xFD: SIMD. */
  prefix_simd: 0xfd,
} as const;

/** SIMD sub-opcodes (after 0xFD, encoded as u32 LEB128). */
export const Simd = {
  v128_load: 0x00,
  v128_store: 0x0b,
  v128_const: 0x0c,
  f32x4_splat: 0x13,
  f32x4_extract_lane: 0x1f,
  f32x4_replace_lane: 0x20,
  f32x4_eq: 0x41,
  f32x4_ne: 0x42,
  f32x4_lt: 0x43,
  f32x4_gt: 0x44,
  v128_and: 0x4e,
  v128_bitselect: 0x52,
  f32x4_floor: 0x68,
  f32x4_nearest: 0x6a,
  i32x4_shl: 0xab,
  i32x4_add: 0xae,
  i32x4_trunc_sat_f32x4_s: 0xf8,
  i32x4_splat: 0x11,
  f32x4_abs: 0xe0,
  f32x4_neg: 0xe1,
  f32x4_sqrt: 0xe3,
  f32x4_add: 0xe4,
  f32x4_sub: 0xe5,
  f32x4_mul: 0xe6,
  f32x4_div: 0xe7,
  /** Relaxed SIMD: a * b + c, fused where the CPU can (./relaxed-simd.ts). */
  f32x4_relaxed_madd: 0x105,
  f32x4_min: 0xe8,
  f32x4_max: 0xe9,
} as const;

export const BLOCK_EMPTY = 0x40;

export function uleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < 0) throw new Error(`wasm: uleb of ${n}`);
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number, out: number[] = []): number[] {
  if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw new Error(`wasm: sleb of ${n} (not an i32)`);
  let more = true;
  while (more) {
    let byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) more = false;
    else byte |= 0x80;
    out.push(byte);
  }
  return out;
}

const f32Bytes = new Uint8Array(4);
const f32View = new DataView(f32Bytes.buffer);

/** A function body under construction: typed helpers over a byte list. */
export class Code {
  readonly bytes: number[] = [];
  op(...ops: number[]): this {
    this.bytes.push(...ops);
    return this;
  }
  i32(v: number): this {
    this.bytes.push(Op.i32_const);
    sleb(v, this.bytes); // throws outside the i32 range rather than wrap
    return this;
  }
  f32(v: number): this {
    this.bytes.push(Op.f32_const);
    f32View.setFloat32(0, v, true);
    this.bytes.push(...f32Bytes);
    return this;
  }
  get(local: number): this {
    this.bytes.push(Op.local_get);
    uleb(local, this.bytes);
    return this;
  }
  set(local: number): this {
    this.bytes.push(Op.local_set);
    uleb(local, this.bytes);
    return this;
  }
  tee(local: number): this {
    this.bytes.push(Op.local_tee);
    uleb(local, this.bytes);
    return this;
  }
  call(fn: number): this {
    this.bytes.push(Op.call);
    uleb(fn, this.bytes);
    return this;
  }
  /** A load or store with its memarg (align as log2 bytes, byte offset). */
  mem(op: number, align: number, offset: number): this {
    this.bytes.push(op);
    uleb(align, this.bytes);
    uleb(offset, this.bytes);
    return this;
  }
  simd(sub: number): this {
    this.bytes.push(Op.prefix_simd);
    uleb(sub, this.bytes);
    return this;
  }
  /** A SIMD instruction with a lane immediate (extract_lane, replace_lane). */
  lane(sub: number, lane: number): this {
    this.simd(sub);
    this.bytes.push(lane);
    return this;
  }
  append(bytes: readonly number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }
  simdMem(sub: number, align: number, offset: number): this {
    this.simd(sub);
    uleb(align, this.bytes);
    uleb(offset, this.bytes);
    return this;
  }
  /** i32.trunc_sat_f32_s: f32 to i32 without trapping. */
  truncSat(): this {
    this.bytes.push(Op.prefix_fc, 0x00);
    return this;
  }
  loop(): this {
    this.bytes.push(Op.loop, BLOCK_EMPTY);
    return this;
  }
  block(): this {
    this.bytes.push(Op.block, BLOCK_EMPTY);
    return this;
  }
  brIf(depth: number): this {
    this.bytes.push(Op.br_if);
    uleb(depth, this.bytes);
    return this;
  }
  end(): this {
    this.bytes.push(Op.end);
    return this;
  }
}

export interface FuncType {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
}

export interface ImportedFunc {
  readonly module: string;
  readonly name: string;
  readonly type: FuncType;
}

export interface DefinedFunc {
  readonly type: FuncType;
  /** Locals after the parameters, in order. */
  readonly locals: readonly ValType[];
  readonly code: Code;
  /** Exported under this name when given. */
  readonly export?: string;
}

export interface ModuleSpec {
  readonly imports: readonly ImportedFunc[];
  /** An imported memory (module "env", name "memory"). */
  readonly memory: { readonly min: number; readonly max?: number; readonly shared?: boolean };
  readonly funcs: readonly DefinedFunc[];
}

function name(s: string, out: number[]): void {
  const bytes = new TextEncoder().encode(s);
  uleb(bytes.length, out);
  out.push(...bytes);
}

function section(id: number, body: number[], out: number[]): void {
  out.push(id);
  uleb(body.length, out);
  for (const b of body) out.push(b);
}

function vec<T>(items: readonly T[], write: (item: T, out: number[]) => void): number[] {
  const out: number[] = [];
  uleb(items.length, out);
  for (const item of items) write(item, out);
  return out;
}

/** Run-length groups of equal local types, as the code section wants them. */
function localGroups(locals: readonly ValType[]): [number, ValType][] {
  const groups: [number, ValType][] = [];
  for (const t of locals) {
    const last = groups[groups.length - 1];
    if (last && last[1] === t) last[0]++;
    else groups.push([1, t]);
  }
  return groups;
}

/** The binary of a module: imported functions get indices 0..n-1, defined ones follow. */
export function encodeModule(spec: ModuleSpec): Uint8Array {
  const types: FuncType[] = [];
  const typeKey = (t: FuncType) => `${t.params.join(',')}->${t.results.join(',')}`;
  const typeIndex = (t: FuncType) => {
    const i = types.findIndex((u) => typeKey(u) === typeKey(t));
    if (i >= 0) return i;
    types.push(t);
    return types.length - 1;
  };
  const importTypes = spec.imports.map((f) => typeIndex(f.type));
  const funcTypes = spec.funcs.map((f) => typeIndex(f.type));

  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  section(
    1,
    vec(types, (t, o) => {
      o.push(0x60);
      uleb(t.params.length, o);
      o.push(...t.params);
      uleb(t.results.length, o);
      o.push(...t.results);
    }),
    out,
  );
  // Imported functions, then the memory.
  const importBody: number[] = [];
  uleb(spec.imports.length + 1, importBody);
  spec.imports.forEach((f, i) => {
    name(f.module, importBody);
    name(f.name, importBody);
    importBody.push(0x00);
    uleb(importTypes[i]!, importBody);
  });
  name('env', importBody);
  name('memory', importBody);
  importBody.push(0x02);
  const m = spec.memory;
  if (m.shared) {
    importBody.push(0x03);
    uleb(m.min, importBody);
    uleb(m.max ?? m.min, importBody);
  } else if (m.max !== undefined) {
    importBody.push(0x01);
    uleb(m.min, importBody);
    uleb(m.max, importBody);
  } else {
    importBody.push(0x00);
    uleb(m.min, importBody);
  }
  section(2, importBody, out);
  section(3, vec(funcTypes, (t, o) => uleb(t, o)), out);
  const exported = spec.funcs.map((f, i) => ({ f, index: spec.imports.length + i })).filter((e) => e.f.export !== undefined);
  section(
    7,
    vec(exported, (e, o) => {
      name(e.f.export!, o);
      o.push(0x00);
      uleb(e.index, o);
    }),
    out,
  );
  section(
    10,
    vec(spec.funcs, (f, o) => {
      const body: number[] = [];
      const groups = localGroups(f.locals);
      uleb(groups.length, body);
      for (const [n, t] of groups) {
        uleb(n, body);
        body.push(t);
      }
      for (const b of f.code.bytes) body.push(b);
      body.push(Op.end);
      uleb(body.length, o);
      for (const b of body) o.push(b);
    }),
    out,
  );
  return Uint8Array.from(out);
}
