/**
 * A printer a person can read, in the spirit of a jaxpr:
 *
 *   { lambda x:[B=2, C=3] w:[C=3, D=4] .
 *     let a:[B=2, D=4] = einsum 'B C, C D -> B D' x w
 *     in (a) }
 */
import type { Graph } from './graph.js';
import type { AttrValue, Tensor } from './tensor.js';

export type DescribeAttrs = (node: Tensor) => string | undefined;

function formatAttr(v: AttrValue): string {
  if (v instanceof Float64Array) return v.length <= 4 ? `[${Array.from(v).join(', ')}]` : `<${v.length} values>`;
  if (Array.isArray(v)) return `[${v.map(formatAttr).join(' ')}]`;
  if (v !== null && typeof v === 'object') return `{${Object.entries(v).map(([k, x]) => `${k}=${formatAttr(x as AttrValue)}`).join(' ')}}`;
  return String(v);
}

const defaultDescribe = (node: Tensor): string =>
  Object.entries(node.attrs)
    .filter(([k]) => k !== 'axes' && k !== 'sizes')
    .map(([k, v]) => `${k}=${formatAttr(v)}`)
    .join(' ');

/** Short variable names: a, b, ..., z, ba, bb, ... */
function varName(i: number): string {
  let s = '';
  let n = i;
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

const typeOf = (t: Tensor): string => `[${t.axes.map((a, i) => `${a}=${t.sizes[i]}`).join(', ')}]`;

export function printGraph(graph: Graph, describe: DescribeAttrs = defaultDescribe): string {
  const names = new Map<Tensor, string>();
  const used = new Set<string>();
  const bind = (node: Tensor, name: string) => {
    names.set(node, name);
    used.add(name);
  };
  graph.inputs.forEach((x) => bind(x, String(x.attrs['name'] ?? varName(names.size))));
  let counter = 0;
  const lines: string[] = [];
  for (const node of graph.nodes) {
    if (names.has(node)) continue;
    let name = varName(counter++);
    while (used.has(name)) name = varName(counter++);
    bind(node, name);
    const attrs = describe(node) ?? defaultDescribe(node);
    const args = node.inputs.map((x) => names.get(x) ?? '?').join(' ');
    lines.push(`${name}:${typeOf(node)} = ${node.op}${attrs ? ` ${attrs}` : ''}${args ? ` ${args}` : ''}`);
  }
  const header = graph.inputs.map((x) => `${names.get(x)}:${typeOf(x)}`).join(' ');
  const body = lines.length > 0 ? `\n  let ${lines.join('\n      ')}` : '';
  return `{ lambda ${header} .${body}\n  in (${graph.outputs.map((o) => names.get(o)).join(', ')}) }`;
}
