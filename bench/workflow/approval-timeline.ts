import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { medians } from '../lib/stats';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;

/** One timed approval (or floor release): its workflow, and when the client sent the vote (epoch ms). */
export interface SentRelease {
  workflowId: string;
  sentAt: number;
}

/** Where the time of an approval goes, p50 of each stage over the samples, ms, from the server's event times. */
export interface ReleaseTimeline {
  samples: number;
  /** Sent until the worker started the workflow task holding the Update (client, API, server dispatch). */
  toWorker: number;
  /** That task in the worker: validator, handler (Airlock: the audit write), commands. */
  releaseTask: number;
  /** Activity task scheduled until completed (Airlock: dispatch, AssumeRole, credential record, the no-op). */
  activity: number;
  /** Activity completed until the last workflow task started (server dispatch to the sticky queue). */
  toLastTask: number;
  /** The last workflow task in the worker (Airlock: the audit write, the upsert), until the workflow completed. */
  lastTask: number;
}

/** The stages of each release read back from its history; the p50 of each stage. */
export async function releaseTimeline(client: Client, releases: SentRelease[]): Promise<ReleaseTimeline> {
  const stages: Record<Exclude<keyof ReleaseTimeline, 'samples'>, number[]> = { toWorker: [], releaseTask: [], activity: [], toLastTask: [], lastTask: [] };
  for (const { workflowId, sentAt } of releases) {
    const events = ((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).filter((event) => eventMillis(event) >= sentAt - 5);
    const times = (type: temporal.api.enums.v1.EventType): number[] => eventTimes(events, type);
    // The release's own tasks only: the first one started after it was sent, and what followed.
    const started = times(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED).filter((time) => time >= sentAt);
    const [first, last] = [started[0], started.at(-1)];
    const [firstDone] = times(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).filter((time) => first !== undefined && time >= first);
    const [scheduled] = times(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED);
    const [done] = times(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
    const [closed] = times(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED);
    if ([first, last, firstDone, scheduled, done, closed].some((time) => time === undefined) || first === last) continue; // not the shape measured: skip
    stages.toWorker.push((first as number) - sentAt);
    stages.releaseTask.push((firstDone as number) - (first as number));
    stages.activity.push((done as number) - (scheduled as number));
    stages.toLastTask.push((last as number) - (done as number));
    stages.lastTask.push((closed as number) - (last as number));
  }
  return { samples: stages.toWorker.length, ...medians(stages) };
}

/** The times of the events of one type, in history order, epoch ms. */
export function eventTimes(events: readonly HistoryEvent[], type: temporal.api.enums.v1.EventType): number[] {
  return events.filter((event) => event.eventType === type).map(eventMillis);
}

/** An event's time, epoch ms (the server's clock). */
export function eventMillis(event: HistoryEvent): number {
  const time = event.eventTime;
  return Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;
}
