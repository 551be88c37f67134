/**
 * The floors of the workflow benchmark: the least a Temporal workflow can do on each path Airlock
 * measures. Bundled on their own, never with workflows/. Deterministic code only, like workflows/.
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FloorActivities } from './floor-activities';

/** The floor's counterpart of Airlock's `decide`: releases the workflow. */
export const releaseUpdate = defineUpdate<void>('release');

/** The floor's counterpart of Airlock's `admitted`: answers once one no-op activity has run. */
export const admitUpdate = defineUpdate<string>('admit');

const { noop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } });

/** Approve → executed: waits for `release`, runs one no-op activity, ends. */
export async function floorWorkflow(): Promise<string> {
  let released = false;
  setHandler(releaseUpdate, () => {
    released = true;
  });
  await condition(() => released);
  return noop();
}

/**
 * `POST /v1/actions` → answer: started with its `admit` Update (update-with-start), which returns
 * after one no-op activity; the workflow then waits, as an action pending review does, until
 * `release` ends it.
 */
export async function floorAdmitWorkflow(): Promise<string> {
  let released = false;
  setHandler(admitUpdate, () => noop());
  setHandler(releaseUpdate, () => {
    released = true;
  });
  await condition(() => released);
  return 'done';
}

/** Request → succeeded of an auto-allowed action: runs one no-op activity and ends. */
export function floorActivityWorkflow(): Promise<string> {
  return noop();
}
