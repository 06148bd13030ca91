import * as sg from 'shapegrad';

// Axes are names in the types; sizes are bound when tensors are made or traced.
const x = sg.fromArray([1, 2, 3, 4, 5, 6], ['B', 'C'], { B: 2, C: 3 });
const w = sg.fromArray([0.1, 0.2, 0.3, 0.4, 0.5, 0.6], ['C', 'D'], { C: 3, D: 2 });

// The einsum spec is parsed by the type checker: y is Tensor<['B', 'D']>.
const loss = (w: sg.Tensor<['C', 'D']>) => sg.sum(sg.gelu(sg.einsum('B C, C D -> B D', x, w)));

console.log('loss', sg.scalarValue(loss(w)));
console.log('dloss/dw', sg.valueOf(sg.grad(loss)(w)));

// Trace a program into a graph a person can read.
const program = sg.trace((x, w) => sg.softmax(sg.einsum('B C, C D -> B D', x, w), 'D'), sg.spec(['B', 'C'], [2, 3], 'x'), sg.spec(['C', 'D'], [3, 2], 'w'));
console.log(sg.print(program.graph));
