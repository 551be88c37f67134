import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { percentiles } from '../lib/stats';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

/** One timed call that ran as a workflow: which, when the client sent it and when it had the answer (epoch ms). */
export interface TimedRun {
  workflowId: string;
  sentAt: number;
  doneAt: number;
}

/**
 * Where a call's time goes, p50 of each stage over the calls, ms, from the server's event times
 * and the client's send and answer (one machine, one clock). The stages follow one another: their
 * sum is the call's time.
 */
export interface CallTimeline {
  samples: number;
  /** Sent until the server recorded the workflow's start (client, API, the start request). */
  toStart: number;
  /** Started until the first workflow task started (server dispatch to the worker). */
  toFirstTask: number;
  /** The first workflow task, until the activity was scheduled (Airlock: admission, policy, preview, audit writes, the admit Update). */
  firstTask: number;
  /** Activity scheduled until completed (dispatch and the activity; Airlock's also writes the audit trail around the tool call). */
  activity: number;
  /** Activity completed until the last workflow task started (server dispatch). */
  toLastTask: number;
  /** The last workflow task, until the workflow completed. */
  lastTask: number;
  /** Workflow completed until the client had the answer (the long poll's wake-up and the final read). */
  toAnswer: number;
}

type Stage = Exclude<keyof CallTimeline, 'samples'>;
export const STAGES: readonly Stage[] = ['toStart', 'toFirstTask', 'firstTask', 'activity', 'toLastTask', 'lastTask', 'toAnswer'];

/** The stages of each run read back from its history; the p50 of each. Runs not of the shape measured (one activity, two tasks or more) are skipped. */
export async function callTimeline(client: Client, runs: readonly TimedRun[]): Promise<CallTimeline> {
  const stages = Object.fromEntries(STAGES.map((stage) => [stage, [] as number[]])) as Record<Stage, number[]>;
  for (const { workflowId, sentAt, doneAt } of runs) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const times = (type: temporal.api.enums.v1.EventType): number[] => events.filter((event) => event.eventType === type).map(millis);
    const started = times(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const scheduled = times(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const done = times(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    const [opened] = times(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    const [closed] = times(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    const [first, last] = [started[0], started.at(-1)];
    if (
      opened === undefined ||
      first === undefined ||
      last === undefined ||
      first === last ||
      scheduled.length !== 1 ||
      done.length !== 1 ||
      closed === undefined
    )
      continue;
    const [activityScheduled, activityDone] = [scheduled[0] as number, done[0] as number];
    stages.toStart.push(opened - sentAt);
    stages.toFirstTask.push(first - opened);
    stages.firstTask.push(activityScheduled - first);
    stages.activity.push(activityDone - activityScheduled);
    stages.toLastTask.push(last - activityDone);
    stages.lastTask.push(closed - last);
    stages.toAnswer.push(doneAt - closed);
  }
  const p50 = (values: number[]): number => (values.length > 0 ? percentiles(values).p50 : Number.NaN);
  return { samples: stages.toStart.length, ...(Object.fromEntries(STAGES.map((stage) => [stage, p50(stages[stage])])) as Record<Stage, number>) };
}

function millis(event: HistoryEvent): number {
  const time = event.eventTime;
  return Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
}
