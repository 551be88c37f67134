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
