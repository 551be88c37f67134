/**
 * Runs `task(0)`, `task(1)`, … with at most `concurrency` in flight, until `count` have run or
 * `stop()` says so (checked before each new task). After a failure no new task starts. Resolves
 * once those in flight have settled (nothing is left running behind the caller's back) with the
 * number of tasks that succeeded, or rethrows the first failure.
 */
export async function runPool(count: number, concurrency: number, task: (index: number) => Promise<void>, stop: () => boolean = () => false): Promise<number> {
  let next = 0;
  let succeeded = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (next < count && !failure && !stop()) {
      const index = next++;
      try {
        await task(index);
        succeeded += 1;
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  if (failure) throw failure.error;
  return succeeded;
}
