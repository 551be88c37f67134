import { RefusalCode, type DecideInput } from '../../domain/types';
import { decideUpdate, statusQuery } from '../../workflows/messages';
import { reportIteration, scenarioIterations } from '../support/soak';
import { signedDecision } from '../support/identity-keys';
import { answerOf, refusalOf, REQUESTER, signerNow, startAction, vote } from './support/actions';
import { acceptedUpdates, eventCount, eventsBeyondTasks, historyOf, scheduledActivities, type History } from './support/history';
import { CANNED_PREVIEW, cannedResult, mockActivities } from './support/mock-activities';
import { reviewDecision } from './support/policy-decisions';
import { startWorkflowTestBed, type WorkflowTestBed } from './support/test-bed';

const QUORUM_OF_TWO = reviewDecision({ eligibleApprovers: ['alice', 'bob', 'carol'], quorum: 2 });

/** Reviewers of the `decide` Updates the workflow accepted, in order. */
function acceptedVoters(history: History): string[] {
  return acceptedUpdates(history, 'decide').map((input) => (input as DecideInput).reviewer);
}

/**
 * Votes on a review, at the workflow level: the real workflow and its Update validators on the
 * time-skipping test server, with policy, preview, execution and audit replaced by canned
 * activities. What reaches Temporal is signed as the API signs it.
 */
describe('votes and quorum', () => {
  let bed: WorkflowTestBed;

  beforeAll(async () => {
    bed = await startWorkflowTestBed();
  });
  afterAll(async () => {
    await bed?.teardown();
  });

  it('needs two approvals for a quorum of two: the first keeps it pending, the second approves it, and the operation runs once', async () => {
    const mocks = mockActivities(QUORUM_OF_TWO);
    const { action, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      expect(action.admitted).toMatchObject({ status: 'pending_review', votes: [], policy: QUORUM_OF_TWO });

      const first = await vote(bed, action, 'alice');
      expect(first).toMatchObject({ status: 'pending_review', votes: [{ reviewer: 'alice', verdict: 'approve', channel: 'api' }] });
      expect((await action.handle.query(statusQuery)).status).toBe('pending_review');
      expect(mocks.inputsOf('executeOperation')).toEqual([]);

      const second = await vote(bed, action, 'bob');
      expect(second.votes.map((v) => v.reviewer)).toEqual(['alice', 'bob']);
      // The answer waits for the vote's audit write, which the execution's write-ahead event joins.
      expect(['approved', 'executing']).toContain(second.status);
      return { action, final: await action.handle.result() };
    });

    expect(final).toMatchObject({ status: 'succeeded', result: cannedResult(action.id) });
    expect(mocks.inputsOf('executeOperation')).toEqual([
      {
        actionId: action.id,
        action: 's3.copyObject',
        params: final.request.params,
        requester: { id: REQUESTER, source: 'api' },
        approvers: ['alice', 'bob'],
        preconditions: CANNED_PREVIEW.preconditions, // what was reviewed is what runs
        resultEventId: `${action.id}/${(await action.handle.describe()).runId}/8`, // the activity stores operation.succeeded under it
      },
    ]);
    const history = await historyOf(bed.client, action.id);
    expect(acceptedVoters(history)).toEqual(['alice', 'bob']);
    expect(scheduledActivities(history).filter((name) => name === 'executeOperation')).toEqual(['executeOperation']);
  });

  it('ends at one rejection whatever the quorum: rejected, and nothing runs', async () => {
    const mocks = mockActivities(QUORUM_OF_TWO);
    const { action, rejected, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      await vote(bed, action, 'alice');
      const rejected = await vote(bed, action, 'bob', 'reject', 'wrong quarter');
      return { action, rejected, final: await action.handle.result() };
    });

    expect(rejected).toMatchObject({ status: 'rejected', votes: [{ reviewer: 'alice' }, { reviewer: 'bob', verdict: 'reject', comment: 'wrong quarter' }] });
    expect(final).toMatchObject({ status: 'rejected', closedAt: expect.any(String) });
    expect(final.result).toBeUndefined();
    expect(mocks.inputsOf('executeOperation')).toEqual([]);
    const history = await historyOf(bed.client, action.id);
    expect(acceptedVoters(history)).toEqual(['alice', 'bob']);
    expect(scheduledActivities(history)).not.toContain('executeOperation');
  });

  it('refuses the requester, a non-approver, a second vote and a rejection without reason in the validator: nothing reaches history', async () => {
    const mocks = mockActivities(QUORUM_OF_TWO);
    const { action, refusals, newEvents, pending, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      await vote(bed, action, 'alice');
      const before = eventCount(await historyOf(bed.client, action.id));

      const refusals = {
        requester: await refusalOf(vote(bed, action, REQUESTER)),
        outsider: await refusalOf(vote(bed, action, 'mallory')),
        again: await refusalOf(vote(bed, action, 'alice')),
        reasonless: await refusalOf(vote(bed, action, 'bob', 'reject')),
      };
      const newEvents = eventsBeyondTasks(await historyOf(bed.client, action.id), before);
      const pending = await action.handle.query(statusQuery);

      await vote(bed, action, 'bob'); // the refused reasonless rejection was no vote: bob may still vote
      return { action, refusals, newEvents, pending, final: await action.handle.result() };
    });

    expect(refusals).toEqual({
      requester: RefusalCode.SelfApproval,
      outsider: RefusalCode.NotAnApprover,
      again: RefusalCode.AlreadyVoted,
      reasonless: RefusalCode.CommentRequired,
    });
    expect(newEvents).toEqual([]);
    expect(pending).toMatchObject({ status: 'pending_review', votes: [{ reviewer: 'alice' }] });
    expect(final.status).toBe('succeeded');
    expect(acceptedVoters(await historyOf(bed.client, action.id))).toEqual(['alice', 'bob']);
    expect(mocks.auditEvents.filter((event) => event.kind === 'vote.recorded').map((event) => event.actor)).toEqual(['alice', 'bob']);
  });

  // Moved from test/integration/race-decisions.test.ts ("the same race straight on the Temporal
  // client"): which Update is admitted is the validator's and the workflow's single thread's choice.
  const RACES = scenarioIterations(4);
  it(
    'admits exactly one of two last approvals sent at once: the other is refused, the operation runs once',
    async () => {
      for (let iteration = 0; iteration < RACES; iteration++) {
        const mocks = mockActivities(QUORUM_OF_TWO);
        // Who is sent first alternates, so neither wins only for leaving first.
        const racers = iteration % 2 === 0 ? ['bob', 'carol'] : ['carol', 'bob'];
        const { action, answers, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
          const action = await startAction(bed, taskQueue);
          await vote(bed, action, 'alice');
          const signer = await signerNow(bed);
          const sent = racers.map((reviewer) =>
            action.handle.executeUpdate(decideUpdate, signedDecision(action.id, { reviewer, verdict: 'approve', channel: 'api' }, signer)),
          );
          const answers = await Promise.all(sent.map((update) => answerOf(update)));
          return { action, answers, final: await action.handle.result() };
        });

        const winner = racers[answers.indexOf('accepted')];
        expect({ iteration, answers: [...answers].sort() }).toEqual({ iteration, answers: ['accepted', RefusalCode.ActionClosed] });
        expect(final.status).toBe('succeeded');
        expect(acceptedVoters(await historyOf(bed.client, action.id))).toEqual(['alice', winner]);
        expect(mocks.inputsOf('executeOperation')).toEqual([expect.objectContaining({ approvers: ['alice', winner] })]);
        reportIteration(iteration + 1, RACES);
      }
    },
    30_000 + RACES * 10_000,
  );
});
