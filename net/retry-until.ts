/**
 * Calls `attempt` until it succeeds or `withinMs` has passed since the first call, pausing
 * `pauseMs` between calls, and throws the last error when time is up. A process started beside
 * Temporal (compose, Kubernetes, a cluster coming up) then waits for it instead of exiting at the
 * SDK's first connect deadline.
 */
export async function retryUntil<T>(
  attempt: () => Promise<T>,
  options: { withinMs: number; pauseMs?: number; onRetry?: (err: unknown, elapsedMs: number) => void },
): Promise<T> {
  const started = Date.now();
  const pauseMs = options.pauseMs ?? 1_000;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      const elapsedMs = Date.now() - started;
      if (elapsedMs + pauseMs > options.withinMs) throw err;
      options.onRetry?.(err, elapsedMs);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
