import { ApplicationFailure } from '@temporalio/common';
import { startAction, vote } from './support/actions';
import { historyOf, scheduledActivities } from './support/history';
import { AUTO_ALLOWED_TRAIL, CANNED_PREVIEW, COPY_OPERATION, cannedResult, mockActivities, type MockedActivities } from './support/mock-activities';
import { ALLOWED, DENIED, reviewDecision } from './support/policy-decisions';
import { startWorkflowTestBed, type WorkflowTestBed } from './support/test-bed';

const REVIEW = reviewDecision({ eligibleApprovers: ['alice', 'bob'] });

/** The activities the workflow ran, in order, leaving out its audit writes and reads (the audit tests look at those). */
function steps(mocks: MockedActivities): string[] {
  return mocks.calls.map((call) => call.name).filter((name) => name !== 'recordAuditEvents' && name !== 'storedAuditEvents');
}

/** What policy decides, what the preview and the operation return, and what the workflow does with each. */
describe('policy, preview and execution', () => {
  let bed: WorkflowTestBed;

  beforeAll(async () => {
    bed = await startWorkflowTestBed();
  });
  afterAll(async () => {
    await bed?.teardown();
  });

  it('runs nothing for a request policy denies on its params: no preview, no review, no execution', async () => {
    const mocks = mockActivities(DENIED);
    const { id, admitted, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      return { id: action.id, admitted: action.admitted, final: await action.handle.result() };
    });

    expect(admitted).toMatchObject({ status: 'denied', policy: DENIED });
    expect(final).toMatchObject({ status: 'denied', policy: DENIED, votes: [] });
    expect(final.preview).toBeUndefined();
    expect(steps(mocks)).toEqual(['verifyActionRequest', 'evaluatePolicyBeforePreview']);
    expect(scheduledActivities(await historyOf(bed.client, id))).not.toContain('previewOperation');
    expect(mocks.auditKinds()).toEqual(['request.received', 'policy.decided', 'action.denied']);
    expect(mocks.auditEvents.at(-1)?.data).toEqual({ ruleId: DENIED.ruleId, reason: DENIED.reason });
  });

  it('previews, then runs at once what policy allows, bound to what the preview read', async () => {
    const mocks = mockActivities(ALLOWED);
    const { id, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      return { id: action.id, final: await action.handle.result() };
    });

    expect(final).toMatchObject({ status: 'succeeded', policy: ALLOWED, preview: CANNED_PREVIEW, result: cannedResult(id), votes: [] });
    expect(steps(mocks)).toEqual(['verifyActionRequest', 'evaluatePolicyBeforePreview', 'previewOperation', 'executeOperation']);
    expect(mocks.inputsOf('executeOperation')).toEqual([expect.objectContaining({ approvers: [], preconditions: CANNED_PREVIEW.preconditions })]);
    expect(mocks.auditKinds()).toEqual(AUTO_ALLOWED_TRAIL);
  });

  it("asks policy again with the preview's facts when a rule needs them", async () => {
    const mocks = mockActivities(REVIEW, {
      async evaluatePolicyBeforePreview() {
        return { needsPreview: true, operation: COPY_OPERATION };
      },
    });
    const admitted = await bed.withWorker(mocks.activities, async (taskQueue) => (await startAction(bed, taskQueue)).admitted);

    expect(admitted).toMatchObject({ status: 'pending_review', policy: REVIEW, preview: CANNED_PREVIEW });
    expect(steps(mocks)).toEqual(['verifyActionRequest', 'evaluatePolicyBeforePreview', 'previewOperation', 'evaluatePolicy']);
    expect(mocks.inputsOf('evaluatePolicy')).toEqual([expect.objectContaining({ action: 's3.copyObject', preview: CANNED_PREVIEW.facts })]);
  });

  it('shows reviewers why the preview failed, and still asks them', async () => {
    const mocks = mockActivities(REVIEW, {
      async previewOperation() {
        throw ApplicationFailure.create({ type: 'AccessDenied', message: 's3:GetObject denied', nonRetryable: true });
      },
    });
    const admitted = await bed.withWorker(mocks.activities, async (taskQueue) => (await startAction(bed, taskQueue)).admitted);

    expect(admitted).toMatchObject({ status: 'pending_review', preview: { error: { type: 'AccessDenied', message: 's3:GetObject denied' } } });
    expect(mocks.auditKinds()).toEqual(['request.received', 'preview.failed', 'policy.decided']);
  });

  it('ends failed when the operation fails for good: the error is on the action and in the audit trail', async () => {
    const mocks = mockActivities(REVIEW, {
      async executeOperation() {
        throw ApplicationFailure.create({ type: 'precondition_failed', message: 'the source changed since the preview', nonRetryable: true });
      },
    });
    const final = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      await vote(bed, action, 'alice');
      return action.handle.result();
    });

    const error = { type: 'precondition_failed', message: 'the source changed since the preview' };
    expect(final).toMatchObject({ status: 'failed', error, votes: [{ reviewer: 'alice' }] });
    expect(final.result).toBeUndefined();
    expect(mocks.inputsOf('executeOperation')).toHaveLength(1);
    expect(mocks.auditKinds().slice(-2)).toEqual(['execution.started', 'operation.failed']);
    expect(mocks.auditEvents.at(-1)?.data).toEqual({ error });
  });

  it('retries an idempotent operation after a transient error, and runs a non-idempotent one at most once', async () => {
    const transient = (): never => {
      throw ApplicationFailure.create({ type: 'ServiceUnavailable', message: 'try again' });
    };
    /** An operation whose first attempt fails with a retryable error, and whose next succeeds. */
    const failingOnce = (idempotent: boolean): MockedActivities => {
      let attempts = 0;
      return mockActivities(REVIEW, {
        async evaluatePolicyBeforePreview() {
          return { decision: REVIEW, needsPreview: false, operation: { ...COPY_OPERATION, idempotent } };
        },
        async executeOperation(input) {
          attempts += 1;
          return attempts === 1 ? transient() : cannedResult(input.actionId);
        },
      });
    };
    const approvedAndRun = (mocks: MockedActivities) =>
      bed.withWorker(mocks.activities, async (taskQueue) => {
        const action = await startAction(bed, taskQueue);
        await vote(bed, action, 'alice');
        return action.handle.result();
      });
    const retried = failingOnce(true);
    const afterRetry = await approvedAndRun(retried);
    const once = failingOnce(false);
    const afterOne = await approvedAndRun(once);

    expect(afterRetry.status).toBe('succeeded');
    expect(retried.inputsOf('executeOperation')).toHaveLength(2);
    expect(afterOne).toMatchObject({ status: 'failed', error: { type: 'ServiceUnavailable', message: 'try again' } });
    expect(once.inputsOf('executeOperation')).toHaveLength(1);
  });

  it('records the result itself, under the id it reserved, when the execution could not store it', async () => {
    const mocks = mockActivities(ALLOWED, {
      async executeOperation(input) {
        return { ...cannedResult(input.actionId), recorded: false };
      },
    });
    const final = await bed.withWorker(mocks.activities, async (taskQueue) => (await startAction(bed, taskQueue)).handle.result());

    expect(final.status).toBe('succeeded');
    expect(final.result).toEqual(cannedResult(final.actionId)); // no `recorded` in the action's state
    const [reserved] = mocks.inputsOf('executeOperation').map((input) => input.resultEventId);
    expect(mocks.auditEvents.filter((event) => event.kind === 'operation.succeeded').map((event) => event.eventId)).toEqual([reserved]);
  });
});
