/**
 * How many times a fault or race scenario repeats: a few in `npm test`, many in `npm run soak`
 * (which sets AIRLOCK_SOAK_ITERATIONS). Each iteration is a fresh run of the whole scenario.
 */
export function scenarioIterations(inTests: number): number {
  const raw = process.env.AIRLOCK_SOAK_ITERATIONS;
  if (raw === undefined || raw === '') return inTests;
  const count = Number(raw);
  if (!Number.isInteger(count) || count < 1) throw new Error(`AIRLOCK_SOAK_ITERATIONS must be a whole number ≥ 1, got ${JSON.stringify(raw)}`);
  return count;
}

/** Jest timeout for a test that runs `iterations` scenarios of up to `perIterationMs` each. */
export function soakTimeout(iterations: number, perIterationMs: number): number {
  return 30_000 + iterations * perIterationMs;
}

/**
 * Under `npm run soak`, one line on stderr per finished iteration of the running test, so a long
 * run shows its progress (jest holds console output until a test file ends). Silent in `npm test`.
 */
export function reportIteration(done: number, iterations: number): void {
  if (!process.env.AIRLOCK_SOAK_ITERATIONS) return;
  process.stderr.write(`soak: ${expect.getState().currentTestName ?? 'scenario'}: ${done}/${iterations} passed\n`);
}
