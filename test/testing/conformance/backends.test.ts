import { strict as assert } from 'node:assert';
import { checkFileOn, goldenFiles } from '../../../src/testing/conformance/runner.js';
import { availableBackends, type Backend, type GpujsBackend } from '../../../src/compile/index.js';

// Every golden file through the compiler, on every gpu.js backend this machine has:
// the component's graph is compiled to gpu.js kernels and run as one pipeline, in float32
// (tolerance: 1e-4 of the tensor's largest magnitude).
const backends: Backend[] = ['wasm', ...(['cpu', 'webasm', 'headlessgl'] as GpujsBackend[]).filter((b) => availableBackends().includes(b))];

describe('testing/conformance on the compiled backends', function () {
  this.timeout(600000);
  for (const backend of backends) {
    it(`${backend}: every golden file passes`, async () => {
      const failures: string[] = [];
      for (const file of goldenFiles('test/fixtures/golden')) {
        const report = await checkFileOn(file, { backend });
        if (report.error !== undefined) failures.push(`${report.component}: ${report.error}`);
        // What ran is reported, and it is what was asked for (no silent fallback).
        else if (report.ran?.backend !== backend) failures.push(`${report.component}: asked for ${backend}, ran ${JSON.stringify(report.ran)}`);
        for (const l of report.lines) if (l.status === 'fail') failures.push(`${report.component} ${l.section}.${l.key} max abs ${l.maxAbs}`);
      }
      assert.deepEqual(failures, []);
    });
  }
});
