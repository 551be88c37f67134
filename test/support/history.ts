import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { toolPaths } from '../../scripts/lib/tools';
import { requiredEnv } from './test-aws';

type History = temporal.api.history.v1.IHistory;

export async function fetchHistory(client: Client, workflowId: string): Promise<History> {
  return client.workflow.getHandle(workflowId).fetchHistory();
}

/** The history as an operator exports it: `temporal workflow show --output json`, the real CLI. */
export async function exportedHistoryJson(workflowId: string): Promise<string> {
  const { stdout } = await promisify(execFile)(
    toolPaths().temporalCli,
    ['workflow', 'show', '--workflow-id', workflowId, '--output', 'json', '--address', requiredEnv('AIRLOCK_TEST_TEMPORAL_ADDRESS')],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  return stdout;
}

/** The exported history plus every payload in it decoded to text: all that a reader of the history can see. */
export async function readableHistory(workflowId: string): Promise<string> {
  const exported = await exportedHistoryJson(workflowId);
  const decoded: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.data === 'string' && record.metadata) decoded.push(Buffer.from(record.data, 'base64').toString('utf8'));
      Object.values(record).forEach(walk);
    }
  };
  walk(JSON.parse(exported));
  return `${exported}\n${decoded.join('\n')}`;
}

/** Inputs of the Updates the workflow accepted (validator passed), by Update name. */
export function acceptedUpdates(history: History, name: string): unknown[] {
  const inputs: unknown[] = [];
  for (const event of history.events ?? []) {
    const input = event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input;
    if (input?.name !== name) continue;
    const first = input.args?.payloads?.[0];
    inputs.push(first ? defaultPayloadConverter.fromPayload(first as Payload) : undefined);
  }
  return inputs;
}

/** Names of the activities the workflow scheduled, in order; audit writes only when asked (the audit tests assert those). */
export function scheduledActivities(history: History, options: { includeAudit?: boolean } = {}): string[] {
  return (history.events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name)
    .filter((name): name is string => typeof name === 'string')
    .filter((name) => options.includeAudit || name !== 'recordAuditEvents');
}

/** The marker a local activity leaves in history (Temporal's core SDK names it so). */
const LOCAL_ACTIVITY_MARKER = 'core_local_activity';

/**
 * Names of the activities the workflow ran, in order: activity tasks when scheduled, local
 * activities by their markers (one per completed local activity). Audit writes only when asked.
 */
export function workflowSteps(history: History, options: { includeAudit?: boolean } = {}): string[] {
  return (history.events ?? [])
    .map((event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? localActivityName(event))
    .filter((name): name is string => typeof name === 'string')
    .filter((name) => options.includeAudit || name !== 'recordAuditEvents');
}

function localActivityName(event: temporal.api.history.v1.IHistoryEvent): string | undefined {
  return localActivityMarker(event)?.activity_type;
}

/** Every local activity that completed, with the attempt that completed it (retries happen inside the workflow task, so only this shows them). */
export function localActivityAttempts(history: History): { name: string; attempt: number }[] {
  return (history.events ?? []).flatMap((event) => {
    const marker = localActivityMarker(event);
    return marker?.activity_type ? [{ name: marker.activity_type, attempt: marker.attempt ?? 1 }] : [];
  });
}

function localActivityMarker(event: temporal.api.history.v1.IHistoryEvent): { activity_type?: string; attempt?: number } | undefined {
  const marker = event.markerRecordedEventAttributes;
  const data = marker?.markerName === LOCAL_ACTIVITY_MARKER ? marker.details?.data?.payloads?.[0] : undefined;
  return data ? (defaultPayloadConverter.fromPayload(data as Payload) as { activity_type?: string; attempt?: number }) : undefined;
}

/** A workflow task that timed out or failed: why a vote waited, when it did. */
export interface WorkflowTaskTrouble {
  /** `timed out: TIMEOUT_TYPE_START_TO_CLOSE`, `failed: WORKFLOW_TASK_FAILED_CAUSE_…`. */
  outcome: string;
  at: string;
  queue: string | null;
  scheduledAt: string | null;
  startedAt: string | null;
  /** From its start to its end: how long a worker held it. Null if it never started. */
  heldMs: number | null;
}

/** The workflow tasks that timed out or failed (a task lost with a dead worker shows as a timeout). */
export function workflowTaskTrouble(history: History): WorkflowTaskTrouble[] {
  const events = history.events ?? [];
  const ms = (event: (typeof events)[number]): number => Number(event.eventTime?.seconds ?? 0) * 1000 + Math.round((event.eventTime?.nanos ?? 0) / 1e6);
  const byId = new Map(events.map((event) => [Number(event.eventId), event]));
  const trouble: WorkflowTaskTrouble[] = [];
  for (const event of events) {
    const timedOut = event.workflowTaskTimedOutEventAttributes;
    const failed = event.workflowTaskFailedEventAttributes;
    const attributes = timedOut ?? failed;
    if (!attributes) continue;
    const scheduled = byId.get(Number(attributes.scheduledEventId));
    const started = byId.get(Number(attributes.startedEventId));
    trouble.push({
      outcome: timedOut
        ? `timed out: ${temporal.api.enums.v1.TimeoutType[timedOut.timeoutType ?? 0]}`
        : `failed: ${temporal.api.enums.v1.WorkflowTaskFailedCause[failed?.cause ?? 0]}`,
      at: new Date(ms(event)).toISOString(),
      queue: scheduled?.workflowTaskScheduledEventAttributes?.taskQueue?.name ?? null,
      scheduledAt: scheduled ? new Date(ms(scheduled)).toISOString() : null,
      startedAt: started ? new Date(ms(started)).toISOString() : null,
      heldMs: started ? ms(event) - ms(started) : null,
    });
  }
  return trouble;
}
