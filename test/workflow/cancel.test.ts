import { Context } from '@temporalio/activity';
import { RefusalCode } from '../../domain/types';
import { TEST_SIGNING_KEY } from '../support/identity-keys';
import { cancel, copyRequest, newActionId, refusalOf, REQUESTER, signedRequest, startAction, startWorkflow, vote } from './support/actions';
import { Gate } from './support/gate';
import { acceptedUpdates, historyOf, scheduledActivities } from './support/history';
import { AUTO_ALLOWED_TRAIL, COPY_OPERATION, cannedResult, mockActivities, type MockedActivities } from './support/mock-activities';
import { ALLOWED, reviewDecision } from './support/policy-decisions';
import { startWorkflowTestBed, type WorkflowTestBed } from './support/test-bed';

const REVIEW = reviewDecision({ eligibleApprovers: ['alice', 'bob'] });

/**
 * The API's workflow task timeout (AIRLOCK_WORKFLOW_TASK_TIMEOUT's default): a cancel reaches a
 * workflow whose admission still runs when the SDK heartbeats the task, at 80% of it.
 */
const AS_THE_API_STARTS = { workflowTaskTimeout: '3s' };

/** Settles when the running activity (admission, for the parts it is made of) is cancelled. */
function untilCancelled(): Promise<void> {
  const signal = Context.current().cancellationSignal;
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/** The requester's cancel: accepted while policy decides or reviewers deliberate, refused once anything runs. */
describe('cancel', () => {
  let bed: WorkflowTestBed;

  beforeAll(async () => {
    bed = await startWorkflowTestBed();
  });
  afterAll(async () => {
    await bed?.teardown();
  });

  it('cancels a pending review: nothing runs, and the cancel is on record with its signature and Update id', async () => {
    const mocks = mockActivities(REVIEW);
    const { action, answered, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      const answered = await cancel(bed, action, REQUESTER, 'asked the wrong bucket');
      return { action, answered, final: await action.handle.result() };
    });

    expect(answered).toMatchObject({ status: 'cancelled', cancellation: { by: REQUESTER, reason: 'asked the wrong bucket', updateId: expect.any(String) } });
    expect(final).toMatchObject({ status: 'cancelled', votes: [], cancellation: answered.cancellation });
    expect(mocks.inputsOf('executeOperation')).toEqual([]);
    const history = await historyOf(bed.client, action.id);
    expect(acceptedUpdates(history, 'cancel')).toEqual([expect.objectContaining({ by: REQUESTER })]);
    expect(scheduledActivities(history)).not.toContain('executeOperation');
    const cancelled = mocks.auditEvents.filter((event) => event.kind === 'action.cancelled');
    expect(cancelled).toEqual([
      expect.objectContaining({
        actor: REQUESTER,
        data: {
          from: 'pending_review',
          reason: 'asked the wrong bucket',
          updateId: answered.cancellation?.updateId,
          proof: expect.objectContaining({ keyId: TEST_SIGNING_KEY.id }),
        },
      }),
    ]);
    expect(mocks.auditKinds().at(-1)).toBe('action.cancelled');
  });

  it('cancels while policy is still deciding: the cancel waits for admission, the late answer is ignored, no preview is read, no one is asked', async () => {
    const policyAnswering = new Gate();
    let cancelReached: () => void = () => undefined;
    const reachedAdmission = new Promise<void>((resolve) => (cancelReached = resolve));
    const mocks = mockActivities(REVIEW, {
      async evaluatePolicyBeforePreview() {
        untilCancelled().then(cancelReached, () => undefined);
        await policyAnswering.pass(); // a slow step that answers late, after the cancel
        return { decision: REVIEW, needsPreview: false, operation: COPY_OPERATION };
      },
    });
    const { answered, second, final, id } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const id = newActionId();
      const handle = await startWorkflow(bed, taskQueue, signedRequest(copyRequest(id, await bed.now())), id, AS_THE_API_STARTS);
      await policyAnswering.reached;
      const first = cancel(bed, { id, handle });
      first.catch(() => undefined); // awaited below, once the second is answered
      await reachedAdmission; // the first is accepted and waits for admission to end
      const second = await refusalOf(cancel(bed, { id, handle }, REQUESTER, 'asked twice')).finally(() => policyAnswering.open());
      return { answered: await first, second, final: await handle.result(), id };
    });

    expect(answered.status).toBe('cancelled');
    expect(second).toBe(RefusalCode.NotCancellable); // refused by the validator while the first waited: not in history
    expect(acceptedUpdates(await historyOf(bed.client, id), 'cancel')).toHaveLength(1);
    expect(final).toMatchObject({ status: 'cancelled' });
    expect(final.policy).toBeUndefined();
    // Audit writes and reads left out: admission reads what an earlier run stored before it would preview.
    const steps = mocks.calls.map((call) => call.name).filter((name) => name !== 'recordAuditEvents' && name !== 'storedAuditEvents');
    expect(steps).toEqual(['verifyActionRequest', 'evaluatePolicyBeforePreview']);
    expect(mocks.auditKinds()).toEqual(['request.received', 'action.cancelled']);
    expect(mocks.auditEvents[1]?.data).toMatchObject({ from: 'evaluating' });
  });

  it('refuses a cancel that admission overtook: it stored an auto-allowed outcome first, so the action runs and no cancel is on record', async () => {
    const outcomeStored = new Gate();
    const mocks: MockedActivities = mockActivities(ALLOWED, {
      async recordAuditEvents(input) {
        // Admission's outcome, held until the cancel has reached admission, then stored all the same.
        if (input.events.some((event) => event.kind === 'policy.decided')) await Promise.race([outcomeStored.pass(), untilCancelled()]);
        mocks.auditEvents.push(...input.events);
        return { added: input.events.length };
      },
    });
    const { refused, final, id } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const id = newActionId();
      const handle = await startWorkflow(bed, taskQueue, signedRequest(copyRequest(id, await bed.now())), id, AS_THE_API_STARTS);
      await outcomeStored.reached;
      const refused = await refusalOf(cancel(bed, { id, handle })).finally(() => outcomeStored.open());
      return { refused, final: await handle.result(), id };
    });

    expect(refused).toBe(RefusalCode.NotCancellable);
    expect(final).toMatchObject({ status: 'succeeded', policy: ALLOWED });
    expect(final.cancellation).toBeUndefined();
    expect(mocks.inputsOf('executeOperation')).toHaveLength(1);
    expect(mocks.auditKinds()).toEqual(AUTO_ALLOWED_TRAIL);
    // The cancel was accepted (admission was running), then refused once admission ended: its refusal is in history.
    expect(acceptedUpdates(await historyOf(bed.client, id), 'cancel')).toHaveLength(1);
  });

  it('refuses a cancel once the operation is running (not_cancellable), and the operation completes', async () => {
    const executing = new Gate();
    const mocks = mockActivities(REVIEW, {
      async executeOperation(input) {
        await executing.pass();
        return cannedResult(input.actionId);
      },
    });
    const { refused, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      await vote(bed, action, 'alice');
      await executing.reached;
      const refused = await refusalOf(cancel(bed, action)).finally(() => executing.open());
      return { refused, final: await action.handle.result() };
    });

    expect(refused).toBe(RefusalCode.NotCancellable);
    expect(final).toMatchObject({ status: 'succeeded', votes: [{ reviewer: 'alice' }] });
    expect(final.cancellation).toBeUndefined();
    expect(mocks.auditKinds()).not.toContain('action.cancelled');
  });
});
