import { startAction, vote } from './support/actions';
import { eventCount, historyOf, scheduledActivities, type History } from './support/history';
import { mockActivities } from './support/mock-activities';
import { ALLOWED, DENIED, reviewDecision } from './support/policy-decisions';
import { startWorkflowTestBed, type WorkflowTestBed } from './support/test-bed';
import { temporal } from '@temporalio/proto';

const { EventType } = temporal.api.enums.v1;

/** Workflow tasks the run completed: each is a round trip through the server. */
function workflowTasks(history: History): number {
  return (history.events ?? []).filter((event) => event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED).length;
}

/**
 * What one action costs Temporal (issue 18): each transition is one workflow task, admission's
 * and the audit trail's steps are local activities, and only the execution is an activity task.
 * The bounds are the design's, so a change that adds a round trip or a command fails here.
 */
describe('history size', () => {
  let bed: WorkflowTestBed;

  beforeAll(async () => {
    bed = await startWorkflowTestBed();
  });
  afterAll(async () => {
    await bed?.teardown();
  });

  async function historyAfter(run: (taskQueue: string) => Promise<string>, decision = ALLOWED): Promise<History> {
    const mocks = mockActivities(decision);
    const id = await bed.withWorker(mocks.activities, run);
    return historyOf(bed.client, id);
  }

  it('a reviewed action, approved by one reviewer and executed, writes at most 30 events in 3 workflow tasks', async () => {
    const history = await historyAfter(
      async (taskQueue) => {
        const action = await startAction(bed, taskQueue);
        await vote(bed, action, 'alice');
        expect((await action.handle.result()).status).toBe('succeeded');
        return action.id;
      },
      reviewDecision({ eligibleApprovers: ['alice'] }),
    );

    expect(eventCount(history)).toBeLessThanOrEqual(30);
    expect(workflowTasks(history)).toBe(3); // admission, the vote, the end
    expect(scheduledActivities(history)).toEqual(['executeOperation']);
  });

  it('an auto-allowed action writes at most 18 events in 2 workflow tasks; a denied one 11 in 1', async () => {
    const allowed = await historyAfter(async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      expect((await action.handle.result()).status).toBe('succeeded');
      return action.id;
    });
    const denied = await historyAfter(async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      expect((await action.handle.result()).status).toBe('denied');
      return action.id;
    }, DENIED);

    expect({ events: eventCount(allowed), tasks: workflowTasks(allowed), activities: scheduledActivities(allowed) }).toEqual({
      events: expect.any(Number),
      tasks: 2,
      activities: ['executeOperation'],
    });
    expect(eventCount(allowed)).toBeLessThanOrEqual(18);
    expect({ events: eventCount(denied), tasks: workflowTasks(denied), activities: scheduledActivities(denied) }).toEqual({
      events: 11,
      tasks: 1,
      activities: [],
    });
  });
});
