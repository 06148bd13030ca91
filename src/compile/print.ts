/** A readable account of a compiled program: its buffers, fused groups and generated sources. */
import type { BufferInfo, Kernel } from './kernel-ir.js';

export interface Printable {
  readonly kernels: readonly Kernel[];
  readonly sources: readonly string[];
  readonly buffers: ReadonlyMap<number, BufferInfo>;
}

const shape = (b: BufferInfo) => `[${b.sizes.join(', ')}]`;

/** A compiled program as text: its kernels (sources where the backend has them) and buffers. */
export function printCompiled(c: Printable): string {
  const lines: string[] = [];
  const hosts = [...c.buffers.values()].filter((b) => b.source !== 'kernel');
  lines.push(`${c.kernels.length} kernels, ${hosts.length} host buffers`);
  for (const b of hosts) lines.push(`  b${b.id} ${b.source} ${b.label} ${shape(b)}`);
  c.kernels.forEach((k, i) => {
    const out = c.buffers.get(k.output)!;
    const reads = k.inputs.map((id) => `b${id}`).join(', ');
    lines.push('', `kernel ${k.name} -> b${out.id} ${shape(out)} fuses ${k.ops.join(' ')}${reads ? `; reads ${reads}` : ''}`);
    lines.push(...c.sources[i]!.split('\n').map((l) => `  ${l}`));
  });
  return lines.join('\n');
}
