// Prints the closing line of a CI run: the jest runs' counts that test/support/tally-reporter.js
// wrote, summed. It must be the last line .ci/run prints: schemathesis closes on a pytest-like
// "=== 1 warning in 52s ===" line, which alone reads as a run that executed no test.
import { readFileSync } from 'node:fs';

const file = process.argv[2];
const runs = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));
if (runs.length === 0) {
  console.error(`${file}: no jest run reported its counts`);
  process.exit(1);
}
const sum = (key) => runs.reduce((total, run) => total + run[key], 0);
console.log(`tests: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped`);
