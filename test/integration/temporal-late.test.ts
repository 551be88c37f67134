import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessStack } from '../support/process-stack';

/** Longer than the SDK's own connect deadline (10 s), after which the processes used to exit. */
const TEMPORAL_DOWN_MS = 13_000;

/**
 * The API and a worker started while Temporal is down (compose or Kubernetes starting everything
 * at once, a cluster still coming up) wait for it, trying again until
 * AIRLOCK_TEMPORAL_CONNECT_TIMEOUT, and serve once it answers, instead of exiting at the SDK's
 * first connect deadline.
 */
describe('Temporal coming up after Airlock', () => {
  let stack: ProcessStack;

  beforeAll(async () => {
    stack = await ProcessStack.start();
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('the API and the worker wait for Temporal at start and then serve', async () => {
    await stack.killWorker();
    await stack.crashTemporal();
    const lines: string[] = [];
    const api = stack.restartApi(); // resolves once healthy
    const worker = stack.startWorker(); // resolves once polling
    let settled = false;
    void Promise.allSettled([api, worker]).then(() => (settled = true));
    await sleep(TEMPORAL_DOWN_MS);
    expect(settled).toBe(false);
    expect(stack.api.running).toBe(true);
    expect(stack.worker?.running).toBe(true);
    lines.push(...stack.api.tail(50).split('\n'));
    expect(lines.some((line) => /Temporal at \S+ not reachable .*trying again, \d+ s left/.test(line))).toBe(true);
    await stack.restartTemporal();
    await Promise.all([api, worker]);
    const listed = await stack.call('alice', 'GET', '/v1/actions?status=pending_review');
    expect(listed.statusCode).toBe(200);
  }, 120_000);
});
