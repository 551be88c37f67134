import { randomUUID } from 'node:crypto';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { createIdentityActivities } from '../../activities/identity';
import { IdentitySigner } from '../../api/identity-signer';
import { AuditLog } from '../../audit/audit-log';
import { SqliteAuditStore } from '../../audit/sqlite-store';
import { newIdentityKeyPair, parseSigningKey } from '../../config/identity-keys';
import { RefusalCode, type ActionRequestInput, type ActionState, type CancelInput, type DecideInput } from '../../domain/types';
import { cancelUpdate, decideUpdate, statusQuery } from '../../workflows/messages';
import type { privilegedAction } from '../../workflows/privileged-action';
import { rejectionOf } from '../support/failures';
import { TEST_SIGNING_KEY, TEST_TRUSTED_KEYS } from '../support/identity-keys';
import { cancel, copyRequest, newActionId, refusalOf, REQUESTER, signedRequest, signerNow, startAction, startWorkflow, vote } from './support/actions';
import { acceptedUpdates, eventCount, eventsBeyondTasks, historyOf, scheduledActivities } from './support/history';
import { mockActivities, type MockedActivities } from './support/mock-activities';
import { reviewDecision } from './support/policy-decisions';
import { startWorkflowTestBed, type WorkflowTestBed } from './support/test-bed';

const REVIEW = reviewDecision({ eligibleApprovers: ['alice', 'bob'] });

/** The type of the ApplicationFailure a workflow failed with. */
function failureType(failed: WorkflowFailedError): string | undefined {
  return failed.cause instanceof ApplicationFailure ? (failed.cause.type ?? undefined) : undefined;
}

/**
 * A workflow's result (its latest run's), awaited without letting the server skip time. The
 * time-skipping client's `result()` unlocks skipping while it waits, and once no workflow or
 * activity task is outstanding anywhere on the server, its clock jumps to the next timer it still
 * holds, a closed run's among them (a review deadline a day on, the ten-year default execution
 * timeout). Whether an earlier test's workflow still has a task outstanding (and so holds the clock)
 * is a race with its worker's shutdown: a test whose proofs must stay fresh must not unlock it.
 */
function resultInServerTime(bed: WorkflowTestBed, workflowId: string): Promise<ActionState> {
  const client = new Client({ connection: bed.client.connection, namespace: bed.client.options.namespace });
  return client.workflow.result<typeof privilegedAction>(workflowId);
}

/** A well-formed key the workers do not trust. */
const stranger = new IdentitySigner(parseSigningKey(newIdentityKeyPair('stranger').signing, 'test'));

/**
 * The canned activities, but the start checked by the real `verifyActionRequest` with the test
 * keys, and the audit events stored in a real (in-memory) audit log, where it looks for an earlier
 * run of the same action.
 */
function withRealStartCheck(audit: AuditLog): MockedActivities {
  const mocks = mockActivities(REVIEW, {
    ...createIdentityActivities({ identityKeys: TEST_TRUSTED_KEYS, audit }),
    async recordAuditEvents(input) {
      mocks.auditEvents.push(...input.events);
      return { added: await audit.append(input.events) };
    },
  });
  return mocks;
}

/**
 * Identity is never taken on trust from Temporal: starts, votes and cancels sent around the API
 * carry no valid signature, and the workflow refuses them before anything happens. The real
 * validators, and here the real start check; the dev-server variant with the API beside it is
 * test/integration/signed-identities.test.ts.
 */
describe('signed identities', () => {
  let bed: WorkflowTestBed;
  let audit: AuditLog;

  beforeAll(async () => {
    bed = await startWorkflowTestBed();
    audit = new AuditLog(new SqliteAuditStore(':memory:'));
  });
  afterAll(async () => {
    await bed?.teardown();
    await audit?.close();
  });

  it('refuses votes with no proof, an untrusted key, a proof for another action, Update or content, or a stale one: nothing reaches history', async () => {
    const mocks = mockActivities(REVIEW);
    const { refusals, newEvents, pending, counted } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      const before = eventCount(await historyOf(bed.client, action.id));
      const signer = await signerNow(bed);
      // The API's own key with a clock twenty minutes behind the workflow's: a proof kept back and sent later.
      const serverNow = await bed.now();
      const stale = new IdentitySigner(TEST_SIGNING_KEY, () => new Date(serverNow.getTime() - 20 * 60_000));
      const updateId = `forged:${randomUUID()}`;
      const approve: DecideInput = { reviewer: 'alice', verdict: 'approve', channel: 'api' };
      const forgeries: Record<string, DecideInput> = {
        unsigned: approve,
        strangerKey: { ...approve, proof: stranger.signDecision(action.id, updateId, approve) },
        otherAction: { ...approve, proof: signer.signDecision(newActionId(), updateId, approve) },
        otherUpdate: { ...approve, proof: signer.signDecision(action.id, `other:${randomUUID()}`, approve) },
        stale: { ...approve, proof: stale.signDecision(action.id, updateId, approve) },
        otherReviewer: { ...approve, proof: signer.signDecision(action.id, updateId, { ...approve, reviewer: 'bob' }) },
        otherVerdict: { ...approve, proof: signer.signDecision(action.id, updateId, { ...approve, verdict: 'reject', comment: 'no' }) },
      };
      const refusals: Record<string, string | undefined> = {};
      for (const [label, decision] of Object.entries(forgeries)) {
        refusals[label] = await refusalOf(action.handle.executeUpdate(decideUpdate, { args: [decision], updateId }));
      }
      const newEvents = eventsBeyondTasks(await historyOf(bed.client, action.id), before);
      const pending = await action.handle.query(statusQuery);
      // The same vote signed as the API signs it counts: the refusals were about the proofs alone.
      const counted = await vote(bed, action, 'alice');
      return { refusals, newEvents, pending, counted };
    });

    expect(refusals).toEqual({
      unsigned: RefusalCode.IdentityUnverified,
      strangerKey: RefusalCode.IdentityUnverified,
      otherAction: RefusalCode.IdentityUnverified,
      otherUpdate: RefusalCode.IdentityUnverified,
      stale: RefusalCode.IdentityUnverified,
      otherReviewer: RefusalCode.IdentityUnverified,
      otherVerdict: RefusalCode.IdentityUnverified,
    });
    expect(newEvents).toEqual([]);
    expect(pending).toMatchObject({ status: 'pending_review', votes: [] });
    expect(counted.votes).toEqual([expect.objectContaining({ reviewer: 'alice', verdict: 'approve' })]);
  });

  it('refuses a cancel with no proof or with a proof for someone else; a signed one still cancels', async () => {
    const mocks = mockActivities(REVIEW);
    const { refusals, cancelled, accepted } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      const signer = await signerNow(bed);
      const updateId = `forged-cancel:${randomUUID()}`;
      const request: CancelInput = { by: REQUESTER, reason: 'changed my mind' };
      const refusals = {
        unsigned: await refusalOf(action.handle.executeUpdate(cancelUpdate, { args: [request], updateId })),
        forSomeoneElse: await refusalOf(
          action.handle.executeUpdate(cancelUpdate, { args: [{ ...request, proof: signer.signCancel(action.id, updateId, { by: 'root' }) }], updateId }),
        ),
      };
      const accepted = acceptedUpdates(await historyOf(bed.client, action.id), 'cancel');
      return { refusals, accepted, cancelled: await cancel(bed, action) };
    });

    expect(refusals).toEqual({ unsigned: RefusalCode.IdentityUnverified, forSomeoneElse: RefusalCode.IdentityUnverified });
    expect(accepted).toEqual([]);
    expect(cancelled.status).toBe('cancelled');
  });

  it('runs nothing for a start the API did not sign, signed with another key, changed after signing, or signed for another action', async () => {
    const mocks = withRealStartCheck(audit);
    const outcomes = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const now = await bed.now();
      // Each forgery under a workflow id of its own: the id the request names, but for the last one.
      const forgeries: Record<string, (workflowId: string) => ActionRequestInput> = {
        unsigned: (workflowId) => copyRequest(workflowId, now),
        strangerKey: (workflowId) => {
          const request = copyRequest(workflowId, now);
          return { ...request, proof: stranger.signStart(request) };
        },
        changedAfterSigning: (workflowId) => {
          const request = signedRequest(copyRequest(workflowId, now));
          return { ...request, params: { ...request.params, destinationKey: 'elsewhere.csv' } };
        },
        otherAction: () => signedRequest(copyRequest(newActionId(), now)),
      };
      const outcomes: Record<string, { failure: string | undefined; activities: string[] }> = {};
      for (const [label, forge] of Object.entries(forgeries)) {
        const workflowId = newActionId();
        const handle = await startWorkflow(bed, taskQueue, forge(workflowId), workflowId);
        const failed = await rejectionOf(handle.result(), WorkflowFailedError);
        outcomes[label] = { failure: failureType(failed), activities: scheduledActivities(await historyOf(bed.client, workflowId)) };
      }
      return outcomes;
    });

    for (const outcome of Object.values(outcomes)) expect(outcome).toEqual({ failure: RefusalCode.IdentityUnverified, activities: [] });
    expect(Object.keys(outcomes)).toEqual(['unsigned', 'strangerKey', 'changedAfterSigning', 'otherAction']);
    expect(new Set(mocks.calls.map((call) => call.name))).toEqual(new Set(['verifyActionRequest']));
    expect(mocks.auditEvents).toEqual([]);
  });

  it('runs a signed start once: the request is on record with its proof, and a second run of the same action runs nothing', async () => {
    const mocks = withRealStartCheck(audit);
    const { first, second } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const id = newActionId();
      const request = signedRequest(copyRequest(id, await bed.now()));
      const handle = await startWorkflow(bed, taskQueue, request);
      await cancel(bed, { id, handle });
      // Not `handle.result()`: a skip of more than ten minutes would make the same proof stale at the second start.
      const first = await resultInServerTime(bed, id);
      // The same signed start again, after the first run closed: Temporal allows it, the workflow does not.
      const again = await startWorkflow(bed, taskQueue, request);
      return { first, second: await rejectionOf(again.result(), WorkflowFailedError) };
    });

    expect(first.status).toBe('cancelled');
    expect(mocks.auditEvents[0]).toMatchObject({ kind: 'request.received', actor: REQUESTER, data: { proof: { keyId: TEST_SIGNING_KEY.id } } });
    expect(failureType(second)).toBe(RefusalCode.IdentityUnverified);
    expect(second.cause?.message).toMatch(/already received by an earlier run/);
    // The first run's story, and nothing of the second's.
    expect(mocks.auditKinds().filter((kind) => kind === 'request.received')).toHaveLength(1);
    expect(mocks.auditKinds().at(-1)).toBe('action.cancelled');
  });
});
