import type { Worker } from '@temporalio/worker';

/** Runs the worker; the returned step shuts it down and waits until it has stopped. */
export function runWorker(worker: Worker): () => Promise<void> {
  const done = worker.run();
  done.catch(() => undefined); // a worker that fails early is reported when stopped, not as an unhandled rejection
  return async () => {
    worker.shutdown();
    await done;
  };
}
