/**
 * The floor of the workflow benchmark: the least a Temporal workflow can do on the path Airlock
 * measures (started, one Update, one activity, done). Bundled on its own, never with workflows/.
 * Deterministic code only, like workflows/.
 */
import { condition, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';
import type { FloorActivities } from './floor-activities';

/** The floor's counterpart of Airlock's `decide`: releases the workflow. */
export const releaseUpdate = defineUpdate<void>('release');

const { noop } = proxyActivities<FloorActivities>({ startToCloseTimeout: '10s', retry: { maximumAttempts: 1 } });

/** Waits for `release`, runs one no-op activity, ends. */
export async function floorWorkflow(): Promise<string> {
  let released = false;
  setHandler(releaseUpdate, () => {
    released = true;
  });
  await condition(() => released);
  return noop();
}
