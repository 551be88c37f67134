// A jest reporter that adds one run's counts to the file AIRLOCK_TEST_TALLY names (one JSON line a
// run). `npm test` is two jest runs and CI runs more after them; .ci/tally.mjs sums the lines into
// the one closing line CI reads ("N passed, N failed, N skipped"). Without the variable it does nothing.
const { appendFileSync } = require('node:fs');

class TallyReporter {
  onRunComplete(_contexts, results) {
    const file = process.env.AIRLOCK_TEST_TALLY;
    if (!file) return;
    const line = {
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  }
}

module.exports = TallyReporter;
