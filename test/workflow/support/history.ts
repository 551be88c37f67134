import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

export type History = temporal.api.history.v1.IHistory;
type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

const { EventType } = temporal.api.enums.v1;

/** The workflow's history as the test server holds it. */
export async function historyOf(client: Client, workflowId: string): Promise<History> {
  return client.workflow.getHandle(workflowId).fetchHistory();
}

/** Inputs of the Updates the workflow accepted (its validator passed), by Update name, in order. */
export function acceptedUpdates(history: History, name: string): unknown[] {
  return events(history)
    .map((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input)
    .filter((input) => input?.name === name)
    .map((input) => {
      const first = input?.args?.payloads?.[0];
      return first ? defaultPayloadConverter.fromPayload(first as Payload) : undefined;
    });
}

/** Names of the (non-local) activities the workflow scheduled, in order. */
export function scheduledActivities(history: History): string[] {
  return events(history)
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => typeof name === 'string');
}

/**
 * Events past the first `count` that record something the workflow did or took in: anything but
 * the bookkeeping of a workflow task. The time-skipping server has no speculative workflow tasks,
 * so a task that only ran an Update's validator leaves its three task events where a real server
 * leaves none; what matters is that it leaves nothing else.
 */
export function eventsBeyondTasks(history: History, count: number): string[] {
  return events(history)
    .slice(count)
    .map((event) => EventType[event.eventType ?? EventType.EVENT_TYPE_UNSPECIFIED])
    .filter((type) => !WORKFLOW_TASK_EVENTS.has(type));
}

/** How many events the history holds. */
export function eventCount(history: History): number {
  return events(history).length;
}

const WORKFLOW_TASK_EVENTS = new Set(['EVENT_TYPE_WORKFLOW_TASK_SCHEDULED', 'EVENT_TYPE_WORKFLOW_TASK_STARTED', 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED']);

function events(history: History): HistoryEvent[] {
  return history.events ?? [];
}
