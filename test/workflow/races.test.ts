import type { ActionState, CancelInput, DecideInput } from '../../domain/types';
import { cancelUpdate, decideUpdate } from '../../workflows/messages';
import { eventually } from '../support/eventually';
import { signedCancel, signedDecision } from '../support/identity-keys';
import { reportIteration, scenarioIterations } from '../support/soak';
import { answerOf, FINISHED, REQUESTER, signerNow, startAction, vote, type ActionRef } from './support/actions';
import { Gate } from './support/gate';
import { acceptedUpdates, historyOf, scheduledActivities } from './support/history';
import { mockActivities, type MockedActivities } from './support/mock-activities';
import { HOUR_MS, reviewDecision } from './support/policy-decisions';
import { startWorkflowTestBed, type WorkflowTestBed } from './support/test-bed';

const ITERATIONS = scenarioIterations(6);
const REVIEW = reviewDecision({ eligibleApprovers: ['alice', 'bob'], timeoutMs: HOUR_MS });
/** The audit kinds that close a review: a closed action has exactly one of them. */
const REVIEW_OUTCOMES = ['action.approved', 'action.cancelled', 'action.expired'];

/** One finished race as every record of it tells it, reduced to what must agree. */
interface Outcome {
  status: string;
  answers: { vote: string; cancel: string };
  history: { decided: string[]; cancelledBy: string[]; executions: number };
  audit: { outcomes: string[] };
}

/** The only consistent story for each way the race can end. */
const EXPECTED: Record<string, Omit<Outcome, 'status'>> = {
  succeeded: {
    answers: { vote: 'accepted', cancel: 'not_cancellable' },
    history: { decided: ['bob'], cancelledBy: [], executions: 1 },
    audit: { outcomes: ['action.approved'] },
  },
  cancelled: {
    answers: { vote: 'action_closed', cancel: 'accepted' },
    history: { decided: [], cancelledBy: [REQUESTER], executions: 0 },
    audit: { outcomes: ['action.cancelled'] },
  },
  expired: {
    answers: { vote: 'action_closed', cancel: 'not_cancellable' },
    history: { decided: [], cancelledBy: [], executions: 0 },
    audit: { outcomes: ['action.expired'] },
  },
};

/**
 * A vote, a cancel and the deadline, at once: whichever wins, there is exactly one outcome, and the
 * Update answers, the result, the history and the audit trail tell the same one.
 *
 * The test server's clock runs at wall-clock speed while Updates travel, so an Update sent within
 * a moment of the deadline may land in a workflow task during which the server fires the review's
 * timer. The workflow then cancels that timer, which a real server accepts (it drops the buffered
 * fire) and sdk-java's test server refuses ("invalid history builder state for action") on every
 * retry of the task. So the race here stays seconds clear of that instant: the exact edge is run
 * against the real dev server by test/integration/race-decisions.test.ts, and the validators'
 * cut-off at the deadline, which makes that edge safe, is tested below with the workflow held busy.
 */
describe('racing decisions at the deadline', () => {
  let bed: WorkflowTestBed;
  const tally = new Map<string, number>();

  beforeAll(async () => {
    bed = await startWorkflowTestBed();
  });
  afterAll(async () => {
    await bed?.teardown();
    if (tally.size > 0) console.log(`deadline race outcomes over ${ITERATIONS} iterations: ${[...tally].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  });

  it(
    'a vote and a cancel sent together just before or just after the deadline: exactly one outcome, and every record agrees',
    async () => {
      for (let iteration = 0; iteration < ITERATIONS; iteration++) {
        // Alternately a few seconds to a minute before the deadline, and up to a second after it.
        const before = iteration % 2 === 0;
        const offsetMs = before ? -Math.round(spread(iteration, 5_000, 60_000)) : Math.round(spread(iteration, 0, 1_000));
        // Who leaves first alternates every two iterations, so each order meets each side of the deadline.
        const voteFirst = iteration % 4 < 2;
        const mocks = mockActivities(REVIEW);
        const { id, answers, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
          const action = await startAction(bed, taskQueue);
          const deadline = Date.parse(action.admitted.deadline ?? '');
          await bed.env.sleep(deadline + offsetMs - (await bed.now()).getTime());
          const answers = await voteAndCancelAtOnce(bed, action, voteFirst);
          return { id: action.id, answers, final: await action.handle.result() };
        });

        const noted = { iteration, offsetMs, voteFirst };
        const outcome = await outcomeOf(bed, id, final, answers, mocks);
        expect({ ...noted, outcome }).toEqual({ ...noted, outcome: { status: final.status, ...EXPECTED[final.status] } });
        // Seconds before the deadline it cannot win; once it has passed, nothing else can.
        expect({ ...noted, expired: final.status === 'expired' }).toEqual({ ...noted, expired: !before });
        const key = `${final.status} (sent ${before ? 'before' : 'at or after'} the deadline)`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
        reportIteration(iteration + 1, ITERATIONS);
      }
    },
    30_000 + ITERATIONS * 10_000,
  );

  it('refuses a vote and a cancel from the deadline on, even while the workflow is busy and its expiry not yet handled', async () => {
    const review = reviewDecision({ eligibleApprovers: ['alice', 'bob', 'carol'], quorum: 2, timeoutMs: HOUR_MS, channels: ['api', 'slack:#data-approvals'] });
    const refreshing = new Gate();
    const mocks = mockActivities(review, {
      async updateSlackReview() {
        await refreshing.pass(); // the refresh after alice's vote holds the workflow past the deadline
      },
    });
    const { id, answers, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      const deadline = Date.parse(action.admitted.deadline ?? '');
      // A few seconds before the deadline: enough for alice's vote to land first on a busy machine.
      await bed.env.sleep(deadline - 3_000 - (await bed.now()).getTime());
      await vote(bed, action, 'alice');
      await refreshing.reached;
      const answers = await (async () => {
        // Wait in server time (it runs at wall-clock speed now) until the deadline has passed.
        await eventually(async () => (await bed.now()).getTime() >= deadline, 20_000);
        return voteAndCancelAtOnce(bed, action, true);
      })().finally(() => refreshing.open());
      return { id: action.id, answers, final: await action.handle.result() };
    });

    // The validators ran while the workflow still said pending_review: their deadline check refused both.
    expect(answers).toEqual({ vote: 'action_closed', cancel: 'not_cancellable' });
    expect(final).toMatchObject({ status: 'expired', votes: [{ reviewer: 'alice' }] });
    const history = await historyOf(bed.client, id);
    expect(acceptedUpdates(history, 'decide').map((input) => (input as DecideInput).reviewer)).toEqual(['alice']);
    expect(acceptedUpdates(history, 'cancel')).toEqual([]);
    expect(scheduledActivities(history)).not.toContain('executeOperation');
    expect(mocks.auditKinds().filter((kind) => REVIEW_OUTCOMES.includes(kind))).toEqual(['action.expired']);
  });
});

/** Bob's approval and the requester's cancel, both signed now and sent at once; their answers. */
async function voteAndCancelAtOnce(bed: WorkflowTestBed, action: ActionRef, voteFirst: boolean): Promise<Outcome['answers']> {
  const signer = await signerNow(bed);
  const decision: DecideInput = { reviewer: 'bob', verdict: 'approve', channel: 'api' };
  const cancellation: CancelInput = { by: REQUESTER, reason: 'race test' };
  const sendVote = () => answerOf(action.handle.executeUpdate(decideUpdate, signedDecision(action.id, decision, signer)));
  const sendCancel = () => answerOf(action.handle.executeUpdate(cancelUpdate, signedCancel(action.id, cancellation, signer)));
  if (voteFirst) {
    const [vote, cancel] = await Promise.all([sendVote(), sendCancel()]);
    return { vote, cancel };
  }
  const [cancel, vote] = await Promise.all([sendCancel(), sendVote()]);
  return { vote, cancel };
}

/**
 * The race as every record tells it. An Update that reached the workflow after it had ended was
 * refused by the server instead of the validator: it counts as the refusal the API answers with.
 */
async function outcomeOf(bed: WorkflowTestBed, id: string, final: ActionState, answers: Outcome['answers'], mocks: MockedActivities): Promise<Outcome> {
  const history = await historyOf(bed.client, id);
  return {
    status: final.status,
    answers: {
      vote: answers.vote === FINISHED ? 'action_closed' : answers.vote,
      cancel: answers.cancel === FINISHED ? 'not_cancellable' : answers.cancel,
    },
    history: {
      decided: acceptedUpdates(history, 'decide').map((input) => (input as DecideInput).reviewer),
      cancelledBy: acceptedUpdates(history, 'cancel').map((input) => (input as CancelInput).by),
      executions: scheduledActivities(history).filter((name) => name === 'executeOperation').length,
    },
    audit: { outcomes: mocks.auditKinds().filter((kind) => REVIEW_OUTCOMES.includes(kind)) },
  };
}

/** `iteration` of ITERATIONS spread evenly over [from, to]: tries the whole range whatever the count. */
function spread(iteration: number, from: number, to: number): number {
  return ITERATIONS === 1 ? (from + to) / 2 : from + ((to - from) * iteration) / (ITERATIONS - 1);
}
