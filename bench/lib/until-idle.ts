import type { WorkflowHandle } from '@temporalio/client';
import { sleep } from './deadline';

/**
 * Resolves once the workflow has no workflow task and no activity pending or running: it waits,
 * as an action in pending_review does when a reviewer votes. An Update sent before then would
 * queue behind the task in progress, and its figure would include that task.
 */
export async function untilIdle(handle: WorkflowHandle): Promise<void> {
  for (;;) {
    const { raw } = await handle.describe();
    const started = Number(raw.workflowExecutionInfo?.historyLength ?? 0) > 2; // past its first workflow task
    if (started && !raw.pendingWorkflowTask && !raw.pendingActivities?.length) return;
    await sleep(5);
  }
}
