// Mocha's spec output for people, then one plain closing line CI reads:
// "N passed, N failed". The counts are also written to .test-results.json so
// that .ci/run can add up several suites, with the failing tests' titles (CI shows only the tail
// of its log, so .ci/run repeats them just above its last line).
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class CountReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    const failures = [];
    runner.on(Mocha.Runner.constants.EVENT_TEST_PASS, () => { passed += 1; });
    runner.on(Mocha.Runner.constants.EVENT_TEST_FAIL, (test, err) => {
      failed += 1;
      failures.push(`${test.fullTitle()}: ${String(err && err.message).split('\n').slice(0, 3).join(' / ')}`);
    });
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const file = process.env.SHAPEGRAD_RESULTS || '.test-results.json';
      fs.writeFileSync(file, JSON.stringify({ passed, failed, failures }) + '\n');
      process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
    });
  }
}
module.exports = CountReporter;
