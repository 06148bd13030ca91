/**
 * A Graph is a pure value: formal inputs, outputs, and every node in a
 * topological order (inputs of a node always come before it). It may hold
 * dead nodes (recorded during tracing but not needed); DCE removes them.
 */
import { Tensor } from './tensor.js';

/** A traced graph: its formal inputs, outputs and nodes in topological order. */
export interface Graph {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly nodes: readonly Tensor[];
}

/** All nodes reachable from roots, inputs first (iterative, so deep graphs do not overflow the stack). */
export function topoSort(roots: readonly Tensor[]): Tensor[] {
  const order: Tensor[] = [];
  const done = new Set<Tensor>();
  const onStack = new Set<Tensor>();
  for (const root of roots) {
    if (done.has(root)) continue;
    const stack: [Tensor, number][] = [[root, 0]];
    onStack.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [node, i] = top;
      if (i < node.inputs.length) {
        top[1] = i + 1;
        const child = node.inputs[i]!;
        if (!done.has(child) && !onStack.has(child)) {
          onStack.add(child);
          stack.push([child, 0]);
        }
      } else {
        stack.pop();
        onStack.delete(node);
        done.add(node);
        order.push(node);
      }
    }
  }
  return order;
}

/** A graph of exactly the nodes the outputs need (plus the formal inputs). */
export function graphOf(inputs: readonly Tensor[], outputs: readonly Tensor[]): Graph {
  const reachable = topoSort(outputs);
  const seen = new Set(reachable);
  const nodes = [...inputs.filter((x) => !seen.has(x)), ...reachable];
  return freezeGraph({ inputs, outputs, nodes });
}

/** A graph over the given nodes, completed with whatever they reference, in a valid order. */
export function graphWithNodes(inputs: readonly Tensor[], outputs: readonly Tensor[], nodes: readonly Tensor[]): Graph {
  const ordered = topoSort([...inputs, ...nodes, ...outputs]);
  return freezeGraph({ inputs, outputs, nodes: ordered });
}

function freezeGraph(g: Graph): Graph {
  return Object.freeze({
    inputs: Object.freeze([...g.inputs]),
    outputs: Object.freeze([...g.outputs]),
    nodes: Object.freeze([...g.nodes]),
  });
}

/** How many nodes of each op a graph holds (useful in tests and printing). */
export function opCounts(g: Graph): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of g.nodes) counts[n.op] = (counts[n.op] ?? 0) + 1;
  return counts;
}
