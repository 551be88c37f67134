import type { Client } from '@temporalio/client';
import { PRIVILEGED_ACTION_WORKFLOW } from '../workflows/messages';
import { ActionAttribute, StatusAttribute } from '../workflows/search-attributes';
import { ActionStatus } from '../domain/types';
import { ApiMetrics, type PendingCounter } from './metrics';

/** A scrape must answer well within Prometheus's default 10 s timeout, Temporal or not. */
const COUNT_TIMEOUT_MS = 3000;

/**
 * Actions pending review on this task queue, per catalogue action, from Temporal visibility: one
 * CountWorkflowExecutions per action (visibility groups counts by ExecutionStatus only), all
 * bounded by one deadline. Names come from the catalogue, never from a request.
 */
export function pendingActionsCounter(client: Client, taskQueue: string, actions: readonly string[], timeoutMs = COUNT_TIMEOUT_MS): PendingCounter {
  return async () => {
    const base = [
      `WorkflowType = '${PRIVILEGED_ACTION_WORKFLOW}'`,
      `TaskQueue = '${taskQueue.replace(/'/g, "\\'")}'`,
      `ExecutionStatus = 'Running'`,
      `${StatusAttribute.name} = '${ActionStatus.PendingReview}'`,
    ].join(' AND ');
    const counts = await client.connection.withDeadline(Date.now() + timeoutMs, () =>
      Promise.all(actions.map(async (action) => [action, (await client.workflow.count(`${base} AND ${ActionAttribute.name} = '${action}'`)).count] as const)),
    );
    return new Map(counts);
  };
}

/** The API process's metrics: the request counter, the pending gauge from visibility, process metrics. */
export function apiMetricsFor(client: Client, taskQueue: string, actions: readonly string[]): ApiMetrics {
  return new ApiMetrics({ actions, pending: pendingActionsCounter(client, taskQueue, actions), processMetrics: true });
}
