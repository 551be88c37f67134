import { ApplicationFailure } from '@temporalio/common';
import { AuditEventKind } from '../../domain/audit-events';
import { TEST_SIGNING_KEY } from '../support/identity-keys';
import { REQUESTER, startAction, vote } from './support/actions';
import { CANNED_PREVIEW, cannedResult, mockActivities, type ActivityInput } from './support/mock-activities';
import { reviewDecision } from './support/policy-decisions';
import { startWorkflowTestBed, type WorkflowTestBed } from './support/test-bed';

const QUORUM_OF_TWO = reviewDecision({ eligibleApprovers: ['alice', 'bob'], quorum: 2 });

/**
 * The audit events the workflow itself records, as the `recordAuditEvents` activity receives them:
 * every step in the order it happened, under ids stable across retries and replays, and each
 * written before the step it guards goes on (no audit, no execution). What the stores do with
 * them is tested in test/integration/audit-*.test.ts.
 */
describe('audit trail written by the workflow', () => {
  let bed: WorkflowTestBed;

  beforeAll(async () => {
    bed = await startWorkflowTestBed();
  });
  afterAll(async () => {
    await bed?.teardown();
  });

  it('records the whole story in order, each event once, with stable ids, actors and the proofs of the votes', async () => {
    const mocks = mockActivities(QUORUM_OF_TWO);
    const { id, runId, votedOnRecord } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      await vote(bed, action, 'alice');
      // A vote is answered only once it is on record.
      const votedOnRecord = mocks.auditKinds().includes(AuditEventKind.VoteRecorded);
      await vote(bed, action, 'bob');
      await action.handle.result();
      return { id: action.id, runId: (await action.handle.describe()).runId, votedOnRecord };
    });

    expect(votedOnRecord).toBe(true);
    expect(mocks.auditEvents.map((event) => [event.kind, event.actor])).toEqual([
      ['request.received', REQUESTER],
      ['preview.completed', 'airlock'],
      ['policy.decided', 'policy'],
      ['vote.recorded', 'alice'],
      ['vote.recorded', 'bob'],
      ['action.approved', 'airlock'],
      ['execution.started', 'airlock'],
      ['operation.succeeded', 'airlock'],
    ]);
    // `<workflow id>/<run id>/<n>`: numbered in order, none sent twice.
    expect(mocks.auditEvents.map((event) => event.eventId)).toEqual(mocks.auditEvents.map((_, n) => `${id}/${runId}/${n + 1}`));
    expect(new Set(mocks.auditEvents.map((event) => event.actionId))).toEqual(new Set([id]));
    // Workflow time, in order; the result is stamped by the activity's own clock (here the canned result's).
    const times = mocks.auditEvents.filter((event) => event.kind !== 'operation.succeeded').map((event) => Date.parse(event.occurredAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const data = (kind: string) => mocks.auditEvents.filter((event) => event.kind === kind).map((event) => event.data);
    expect(data('request.received')).toEqual([
      expect.objectContaining({ action: 's3.copyObject', source: 'api', proof: expect.objectContaining({ keyId: TEST_SIGNING_KEY.id }) }),
    ]);
    expect(data('preview.completed')).toEqual([
      { facts: CANNED_PREVIEW.facts, notes: CANNED_PREVIEW.notes, warnings: [], preconditions: CANNED_PREVIEW.preconditions },
    ]);
    expect(data('policy.decided')).toEqual([expect.objectContaining({ effect: 'review', ruleId: QUORUM_OF_TWO.ruleId, policyHash: QUORUM_OF_TWO.policyHash })]);
    expect(data('vote.recorded')).toEqual(
      [1, 2].map((approvals) => ({
        verdict: 'approve',
        channel: 'api',
        approvals,
        quorum: 2,
        updateId: expect.stringMatching(/^test:/),
        proof: { keyId: TEST_SIGNING_KEY.id, issuedAt: expect.any(String), signature: expect.stringMatching(/^[0-9a-f]{128}$/) },
      })),
    );
    expect(data('action.approved')).toEqual([{ by: 'quorum', approvers: ['alice', 'bob'] }]);
    expect(data('execution.started')).toEqual([{ approvers: ['alice', 'bob'], idempotent: true }]);
    const result = cannedResult(id);
    expect(data('operation.succeeded')).toEqual([
      { summary: result.summary, outputs: result.outputs, session: result.session, completedAt: result.completedAt },
    ]);
  });

  it('runs nothing until the write-ahead event is stored: while the audit store refuses, the operation waits', async () => {
    let refusedWrites = 0;
    const mocks = mockActivities(reviewDecision({ eligibleApprovers: ['alice'] }), {
      async recordAuditEvents(input) {
        if (input.events.some((event) => event.kind === AuditEventKind.ExecutionStarted) && refusedWrites < 1) {
          refusedWrites += 1;
          throw ApplicationFailure.create({ type: 'AuditStoreUnavailable', message: 'the audit database is down' });
        }
        mocks.auditEvents.push(...input.events);
        return { added: input.events.length };
      },
    });
    const final = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      await vote(bed, action, 'alice');
      return action.handle.result();
    });

    expect(final.status).toBe('succeeded');
    expect(refusedWrites).toBe(1);
    // The refused write of the execution's write-ahead event, its retry, then the operation: never before.
    const carriesStart = (input: unknown) =>
      (input as ActivityInput<'recordAuditEvents'>).events.some((event) => event.kind === AuditEventKind.ExecutionStarted);
    const writesOfStart = mocks.calls.flatMap((call, index) => (call.name === 'recordAuditEvents' && carriesStart(call.input) ? [index] : []));
    const execution = mocks.calls.findIndex((call) => call.name === 'executeOperation');
    expect(writesOfStart).toHaveLength(2);
    expect(Math.max(...writesOfStart)).toBeLessThan(execution);
    expect(mocks.auditKinds().filter((kind) => kind === AuditEventKind.ExecutionStarted)).toHaveLength(1);
  });
});
