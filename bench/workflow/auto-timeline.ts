import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { eventTimes } from './approval-timeline';
import { medians } from '../lib/stats';

const { EventType } = temporal.api.enums.v1;

/** One timed run started by a client (an auto-allowed action, or the one-activity floor): epoch ms. */
export interface SentRun {
  workflowId: string;
  /** When the client sent the request (Airlock: `POST /v1/actions`; the floor: `client.workflow.execute`). */
  sentAt: number;
  /** When the client had the result. */
  doneAt: number;
}

/** Where a started run's time goes, p50 of each stage over the samples, ms, from the server's event times and the client's clock. */
export interface RunTimeline {
  samples: number;
  /** Sent until the server started the workflow (Airlock: HTTP, API key, validation, signing, the update-with-start). */
  toStart: number;
  /** Started until the worker started the first workflow task. */
  toWorker: number;
  /** The first workflow task (Airlock: admission with the preview's AssumeRole and its outcome's audit write, upserts, the Update's answer, schedule). */
  firstTask: number;
  /** Activity task scheduled until completed. */
  activity: number;
  /** Activity completed until the last workflow task started. */
  toLastTask: number;
  /** The last workflow task, until the workflow completed. */
  lastTask: number;
  /** Workflow completed until the client had the result. */
  toClient: number;
}

/** The stages of each run read back from its history; the p50 of each stage. Runs of another shape are skipped. */
export async function runTimeline(client: Client, runs: SentRun[]): Promise<RunTimeline> {
  const stages: Record<Exclude<keyof RunTimeline, 'samples'>, number[]> = {
    toStart: [],
    toWorker: [],
    firstTask: [],
    activity: [],
    toLastTask: [],
    lastTask: [],
    toClient: [],
  };
  for (const { workflowId, sentAt, doneAt } of runs) {
    const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
    const times = (type: temporal.api.enums.v1.EventType): number[] => eventTimes(events, type);
    const [started] = times(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
    const taskStarts = times(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED);
    const [first, last] = [taskStarts[0], taskStarts.at(-1)];
    const [firstDone] = times(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
    const [scheduled] = times(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const [done] = times(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    const [closed] = times(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    if ([started, first, last, firstDone, scheduled, done, closed].some((time) => time === undefined) || first === last) continue;
    stages.toStart.push((started as number) - sentAt);
    stages.toWorker.push((first as number) - (started as number));
    stages.firstTask.push((firstDone as number) - (first as number));
    stages.activity.push((done as number) - (scheduled as number));
    stages.toLastTask.push((last as number) - (done as number));
    stages.lastTask.push((closed as number) - (last as number));
    stages.toClient.push(doneAt - (closed as number));
  }
  return { samples: stages.toStart.length, ...medians(stages) };
}
