import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { runTimeline, type SentRun } from '../../../bench/workflow/auto-timeline';

const { EventType } = temporal.api.enums.v1;
type EventTypeValue = temporal.api.enums.v1.EventType;

/** A history event at `at` ms after the epoch second 1,000. */
function event(eventType: EventTypeValue, at: number): temporal.api.history.v1.IHistoryEvent {
  // A plain number where the proto has a Long: eventMillis reads either with Number().
  const seconds = (1000 + Math.floor(at / 1000)) as unknown as NonNullable<NonNullable<temporal.api.history.v1.IHistoryEvent['eventTime']>['seconds']>;
  return { eventType, eventTime: { seconds, nanos: (at % 1000) * 1e6 } };
}

/** A client whose every workflow has the history given for its id. */
function clientWith(histories: Record<string, temporal.api.history.v1.IHistoryEvent[]>): Client {
  return {
    workflow: { getHandle: (id: string) => ({ fetchHistory: () => Promise.resolve({ events: histories[id] ?? [] }) }) },
  } as unknown as Client; // only getHandle(id).fetchHistory() is read
}

/** One run of the one-activity shape: start, task, activity, task, close, at the times given (ms). */
function oneActivityRun(t: { started: number; first: number; firstDone: number; scheduled: number; done: number; last: number; closed: number }) {
  return [
    event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, t.started),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, t.started),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, t.first),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, t.firstDone),
    event(EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED, t.scheduled),
    event(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, t.scheduled),
    event(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, t.done),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, t.done),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, t.last),
    event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, t.closed),
    event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, t.closed),
  ];
}

const epoch = 1_000_000; // ms: the histories' second 1,000

describe('runTimeline', () => {
  it('splits request → result into its stages from the history and the client clock', async () => {
    const client = clientWith({ a: oneActivityRun({ started: 4, first: 6, firstDone: 26, scheduled: 26, done: 37, last: 39, closed: 46 }) });
    const runs: SentRun[] = [{ workflowId: 'a', sentAt: epoch, doneAt: epoch + 48 }];

    expect(await runTimeline(client, runs)).toEqual({
      samples: 1,
      toStart: 4,
      toWorker: 2,
      firstTask: 20,
      activity: 11,
      toLastTask: 2,
      lastTask: 7,
      toClient: 2,
    });
  });

  it('takes the median of each stage over the runs', async () => {
    const client = clientWith({
      a: oneActivityRun({ started: 1, first: 2, firstDone: 3, scheduled: 3, done: 4, last: 5, closed: 6 }),
      b: oneActivityRun({ started: 3, first: 4, firstDone: 13, scheduled: 13, done: 14, last: 15, closed: 16 }),
      c: oneActivityRun({ started: 5, first: 6, firstDone: 11, scheduled: 11, done: 12, last: 13, closed: 14 }),
    });
    const sent = (workflowId: string): SentRun => ({ workflowId, sentAt: epoch, doneAt: epoch + 20 });

    const timeline = await runTimeline(client, [sent('a'), sent('b'), sent('c')]);

    expect(timeline.samples).toBe(3);
    expect(timeline.firstTask).toBe(5); // 1, 9 and 5 ms
    expect(timeline.toStart).toBe(3); // 1, 3 and 5 ms
  });

  it('skips a run of another shape and says so in the sample count', async () => {
    const noActivity = [
      event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, 1),
      event(EventType.EVENT_TYPE_WORKFLOW_TASK_STARTED, 2),
      event(EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, 3),
      event(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED, 3),
    ];
    const client = clientWith({ denied: noActivity, ok: oneActivityRun({ started: 1, first: 2, firstDone: 3, scheduled: 3, done: 4, last: 5, closed: 6 }) });

    const timeline = await runTimeline(client, [
      { workflowId: 'denied', sentAt: epoch, doneAt: epoch + 5 },
      { workflowId: 'ok', sentAt: epoch, doneAt: epoch + 8 },
    ]);

    expect(timeline.samples).toBe(1);
    expect(timeline.toClient).toBe(2);
  });

  it('has no figures when no run has the shape', async () => {
    const timeline = await runTimeline(clientWith({}), [{ workflowId: 'missing', sentAt: epoch, doneAt: epoch + 1 }]);

    expect(timeline.samples).toBe(0);
    expect(timeline.activity).toBeNaN();
  });
});
