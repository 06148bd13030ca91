import { strict as assert } from 'node:assert';
import { timedOutRow, type BenchRow, type Row } from '../../bench/harness.js';
import { adapterString, assembleRows, cpuDevice, formatTarget, targets } from '../../bench/browser/rows.js';

function row(workload: string, impl: string, backend: string, median: number): Row {
  return {
    status: 'ok',
    workload,
    impl,
    backend,
    detail: '',
    median_ms: median,
    min_ms: median,
    max_ms: median,
    q1_ms: median,
    q3_ms: median,
    repeats: 3,
    setup_ms: 1,
    first_call_ms: median,
    compile_estimate_ms: 1,
    ratio_vs: {},
    check: { against: null, loss: 1, loss_rel_err: null, tensor_err: null },
    cut_by_budget: false,
  };
}

const X = 'xcit train step';
const chromium = (rows: BenchRow[], renderer = '') => rows.map((r) => ({ row: r, renderer }));

describe('browser bench rows (bench/browser/rows.ts)', () => {
  it('groups by workload, Chromium rows first, each with where it ran and its renderer', () => {
    const rows = assembleRows(
      [
        ...chromium([row('matmul 128', 'shapegrad', 'wasm-1t', 2)]),
        ...chromium([row('matmul 128', 'tfjs', 'webgl', 8)], 'ANGLE (SwiftShader)'),
        ...chromium([row(X, 'shapegrad', 'wasm-1t', 300)]),
      ],
      [row('matmul 128', 'shapegrad', 'wasm-1t', 1), row(X, 'shapegrad', 'wasm-1t', 250)],
    );
    assert.deepEqual(
      rows.map((r) => `${r.workload}|${r.impl}/${r.backend}|${r.where}|${r.renderer}`),
      ['matmul 128|shapegrad/wasm-1t|chromium|', 'matmul 128|tfjs/webgl|chromium|ANGLE (SwiftShader)', 'matmul 128|shapegrad/wasm-1t|node|', `${X}|shapegrad/wasm-1t|chromium|`, `${X}|shapegrad/wasm-1t|node|`],
    );
  });

  it('ratios are taken within a workload and a place; Chromium wasm rows get their ratio to Node', () => {
    const rows = assembleRows(
      chromium([row(X, 'shapegrad', 'wasm-1t', 300), row(X, 'shapegrad', 'wasm-2t', 200), row(X, 'shapegrad', 'webgl2', 900), row(X, 'tfjs', 'webgl', 1800)]),
      [row(X, 'shapegrad', 'wasm-1t', 250), row(X, 'shapegrad', 'wasm-2t', 100)],
    );
    const get = (where: string, backend: string) => rows.find((r) => r.where === where && r.backend === backend)!;
    assert.equal(get('chromium', 'webgl2').ratio_vs['tfjs/webgl'], 0.5);
    assert.equal(get('chromium', 'wasm-2t').ratio_vs['shapegrad/wasm-1t'], 200 / 300);
    // A Node row is compared with Node rows only.
    assert.equal(get('node', 'wasm-2t').ratio_vs['shapegrad/wasm-1t'], 100 / 250);
    assert.equal(get('node', 'wasm-1t').ratio_vs['tfjs/webgl'], undefined);
    assert.equal(get('chromium', 'wasm-1t').chromium_over_node, 300 / 250);
    assert.equal(get('chromium', 'wasm-2t').chromium_over_node, 2);
    assert.equal(get('chromium', 'webgl2').chromium_over_node, null);
    assert.equal(get('node', 'wasm-1t').chromium_over_node, null);
  });

  it('targets: Chromium/Node within 1.3 per wasm row; the xcit step on webgl2 and webgpu against TF.js', () => {
    const rows = assembleRows(
      chromium([
        row(X, 'shapegrad', 'wasm-1t', 320),
        row(X, 'shapegrad', 'wasm-2t', 400),
        row(X, 'shapegrad', 'webgl2', 900),
        row(X, 'shapegrad', 'webgl2-native', 2700),
        row(X, 'shapegrad', 'webgpu', 2000),
        row(X, 'tfjs', 'webgl', 1800),
        row(X, 'tfjs', 'webgpu', 1000),
      ]),
      [row(X, 'shapegrad', 'wasm-1t', 250), row(X, 'shapegrad', 'wasm-2t', 200)],
    );
    const t = targets(rows);
    assert.deepEqual(
      t.map((x) => [x.name, x.ratio, x.met]),
      [
        [`${X}: shapegrad/wasm-1t Chromium/Node <= 1.3`, 1.28, true],
        [`${X}: shapegrad/wasm-2t Chromium/Node <= 1.3`, 2, false],
        [`${X}: shapegrad/webgl2 faster than tfjs/webgl`, 0.5, true],
        [`${X}: shapegrad/webgl2-native faster than tfjs/webgl`, 1.5, false],
        [`${X}: shapegrad/webgpu faster than tfjs/webgpu`, 2, false],
      ],
    );
    assert.match(formatTarget(t[0]!), /^MET +xcit train step: shapegrad\/wasm-1t Chromium\/Node <= 1.3: 1.28x/);
    assert.match(formatTarget(t[1]!), /^NOT MET /);
  });

  it('targets with a timed-out or missing side', () => {
    const rows = assembleRows(
      chromium([row(X, 'shapegrad', 'wasm-1t', 300), timedOutRow({ workload: X, impl: 'shapegrad', backend: 'webgl2' }, 120, 'timing'), row(X, 'tfjs', 'webgl', 1800), row(X, 'shapegrad', 'webgpu', 900), timedOutRow({ workload: X, impl: 'tfjs', backend: 'webgpu' }, 120, 'first call')]),
      [],
    );
    const t = targets(rows);
    assert.deepEqual(
      t.map((x) => [x.name.split(': ')[1], x.met]),
      [
        ['shapegrad/wasm-1t Chromium/Node <= 1.3', null],
        ['shapegrad/webgl2 faster than tfjs/webgl', false],
        ['shapegrad/webgl2-native faster than tfjs/webgl', null],
        ['shapegrad/webgpu faster than tfjs/webgpu', true],
      ],
    );
    assert.match(formatTarget(t[0]!), /^NOT MEASURED .*Node no row/);
    assert.equal(rows.find((r) => r.backend === 'webgl2')!.chromium_over_node, null);
  });

  it('no xcit rows, no xcit targets', () => {
    assert.deepEqual(targets(assembleRows(chromium([row('matmul 128', 'tfjs', 'webgl', 3)]), [])), []);
  });

  it('recognises a CPU device: SwiftShader, a fallback adapter, llvmpipe, no adapter', () => {
    const gl = { renderer: 'ANGLE (NVIDIA, NVIDIA H100 80GB HBM3/PCIe/SSE2, OpenGL 4.5)', vendor: 'Google Inc. (NVIDIA)' };
    const nvidia = { vendor: 'nvidia', architecture: 'hopper', device: '', description: '' };
    assert.equal(cpuDevice({ webgpu: nvidia, webgl2: gl }), null);
    assert.match(cpuDevice({ webgpu: { vendor: 'google', architecture: 'swiftshader', device: '', description: '' }, webgl2: gl })!, /CPU WebGPU adapter: google swiftshader/);
    assert.match(cpuDevice({ webgpu: { ...nvidia, isFallbackAdapter: true }, webgl2: gl })!, /fallback/);
    assert.match(cpuDevice({ webgpu: nvidia, webgl2: { renderer: 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero)), SwiftShader driver)', vendor: 'Google Inc.' } })!, /CPU WebGL renderer/);
    assert.match(cpuDevice({ webgpu: { vendor: 'mesa', architecture: '', device: 'llvmpipe (LLVM 15.0.6, 256 bits)', description: '' }, webgl2: null })!, /llvmpipe/);
    assert.equal(cpuDevice({ webgpu: null, webgl2: gl }), 'no WebGPU adapter');
    assert.equal(adapterString({ webgpu: { vendor: 'google', architecture: 'swiftshader', device: '', description: '', isFallbackAdapter: true } }), 'google / swiftshader (fallback adapter)');
  });
});
