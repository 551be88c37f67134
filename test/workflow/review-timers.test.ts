import { readMessageRef } from '../../domain/message-ref';
import { RefusalCode, type ActionState } from '../../domain/types';
import { statusQuery } from '../../workflows/messages';
import { eventually } from '../support/eventually';
import { refusalOf, startAction, vote } from './support/actions';
import { scheduledActivities, historyOf } from './support/history';
import { mockActivities, type MockedActivities } from './support/mock-activities';
import { escalation, HOUR_MS, reviewDecision } from './support/policy-decisions';
import { startWorkflowTestBed, type WorkflowTestBed } from './support/test-bed';

/** A timer fires at its time; the workflow task that handles it starts a moment later. */
const TASK_LATENCY_MS = 60_000;

/** Milliseconds from `planned` to when `at` (an ISO time) happened. */
function lateBy(at: string | undefined, planned: number): number {
  return Date.parse(at ?? '') - planned;
}

/** The review's story in the audit trail: the events the timers and votes write, in order. */
function reviewStory(mocks: MockedActivities): string[] {
  const story = ['review.reminded', 'review.escalated', 'vote.recorded', 'action.approved', 'action.expired'];
  return mocks.auditKinds().filter((kind) => story.includes(kind));
}

/**
 * The review's durable timers, in workflow time: the server skips hours at once, so a day's
 * deadline, reminders hours before it and an escalation hours after opening are tested exactly,
 * and instantly. (Moved here from test/integration/review-timers.test.ts, which waited seconds of
 * real time for a 4 s review to expire; the Slack rendering and the API's view stay there.)
 */
describe('review timers', () => {
  let bed: WorkflowTestBed;

  beforeAll(async () => {
    bed = await startWorkflowTestBed();
  });
  afterAll(async () => {
    await bed?.teardown();
  });

  it('expires at the deadline, a day later in workflow time: no more votes, nothing runs, and the expiry names who had approved', async () => {
    const mocks = mockActivities(reviewDecision({ eligibleApprovers: ['alice', 'bob'], quorum: 2, timeoutMs: 24 * HOUR_MS }));
    const { admitted, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      await vote(bed, action, 'alice');
      return { admitted: action.admitted, final: await action.handle.result() };
    });

    const openedAt = Date.parse(admitted.updatedAt);
    const deadline = openedAt + 24 * HOUR_MS;
    expect(admitted.deadline).toBe(new Date(deadline).toISOString());
    expect(final).toMatchObject({ status: 'expired', deadline: admitted.deadline, votes: [{ reviewer: 'alice' }] });
    expect(lateBy(final.closedAt, deadline)).toBeGreaterThanOrEqual(0);
    expect(lateBy(final.closedAt, deadline)).toBeLessThan(TASK_LATENCY_MS);
    expect(mocks.inputsOf('executeOperation')).toEqual([]);
    expect(reviewStory(mocks)).toEqual(['vote.recorded', 'action.expired']);
    expect(mocks.auditEvents.find((event) => event.kind === 'action.expired')?.data).toEqual({ deadline: admitted.deadline, approvers: ['alice'] });
  });

  it('reminds who has not voted at each offset before the deadline, in the review message thread, then expires', async () => {
    const review = reviewDecision({
      eligibleApprovers: ['alice', 'bob'],
      quorum: 2,
      timeoutMs: 24 * HOUR_MS,
      channels: ['api', 'slack:#data-approvals'],
      remindBeforeMs: [3 * HOUR_MS, HOUR_MS],
    });
    const mocks = mockActivities(review);
    const { admitted, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      await vote(bed, action, 'alice');
      return { admitted: action.admitted, final: await action.handle.result() };
    });

    const deadline = Date.parse(admitted.updatedAt) + 24 * HOUR_MS;
    expect(final.status).toBe('expired');
    expect(final.reminders?.map((reminder) => reminder.pending)).toEqual([['bob'], ['bob']]);
    const [early, late] = final.reminders ?? [];
    expect(lateBy(early?.at, deadline - 3 * HOUR_MS)).toBeGreaterThanOrEqual(0);
    expect(lateBy(early?.at, deadline - 3 * HOUR_MS)).toBeLessThan(TASK_LATENCY_MS);
    expect(lateBy(late?.at, deadline - HOUR_MS)).toBeGreaterThanOrEqual(0);
    expect(lateBy(late?.at, deadline - HOUR_MS)).toBeLessThan(TASK_LATENCY_MS);

    // Each reminder is a notice in the thread of the one review message, mentioning only bob.
    const [posted] = mocks.inputsOf('postSlackReview');
    expect(posted?.channel).toBe('#data-approvals');
    const reviewRef = final.notifications?.find((record) => record.purpose === undefined && record.target === 'slack:#data-approvals')?.ref;
    expect(reviewRef).toBeDefined();
    const notices = mocks.inputsOf('postSlackNotice');
    expect(notices.map((input) => ({ ref: readMessageRef(input.ref), notice: input.notice }))).toEqual(
      [1, 2].map(() => ({
        ref: readMessageRef(reviewRef ?? { conversation: '', messageId: '' }),
        notice: { kind: 'reminder', actionId: final.actionId, mention: ['bob'], approvals: 1, quorum: 2, deadline: admitted.deadline },
      })),
    );

    expect(reviewStory(mocks)).toEqual(['vote.recorded', 'review.reminded', 'review.reminded', 'action.expired']);
    expect(mocks.auditEvents.find((event) => event.kind === 'review.reminded')?.data).toEqual({ pending: ['bob'], deadline: admitted.deadline });
  });

  it('escalates after its delay: an escalation approver is refused before and counted after, and the escalation channels are told', async () => {
    const review = reviewDecision({
      eligibleApprovers: ['alice', 'bob'],
      timeoutMs: 8 * HOUR_MS,
      channels: ['api', 'slack:#data-approvals'],
      escalation: escalation(2 * HOUR_MS, ['carol', 'mallory'], ['slack:#data-approvals', 'slack:#security']),
    });
    const mocks = mockActivities(review);
    const { admitted, early, escalated, approved, final } = await bed.withWorker(mocks.activities, async (taskQueue) => {
      const action = await startAction(bed, taskQueue);
      const early = await refusalOf(vote(bed, action, 'mallory'));
      await bed.env.sleep(2 * HOUR_MS); // server time: the escalation's timer fires on the way
      const escalated: ActionState = await eventually(async () => {
        const state = await action.handle.query(statusQuery);
        return state.escalation && mocks.inputsOf('updateSlackReview').length > 0 ? state : undefined;
      });
      const approved = await vote(bed, action, 'mallory');
      return { admitted: action.admitted, early, escalated, approved, final: await action.handle.result() };
    });

    expect(early).toBe(RefusalCode.NotAnApprover);
    const openedAt = Date.parse(admitted.updatedAt);
    expect(escalated.escalation).toEqual({ at: expect.any(String), approverGroups: ['security-oncall'], addedApprovers: ['carol', 'mallory'] });
    expect(lateBy(escalated.escalation?.at, openedAt + 2 * HOUR_MS)).toBeGreaterThanOrEqual(0);
    expect(lateBy(escalated.escalation?.at, openedAt + 2 * HOUR_MS)).toBeLessThan(TASK_LATENCY_MS);
    expect(escalated.status).toBe('pending_review');

    // The review is posted where it was not yet, each escalation channel's message gets a notice,
    // and the first message is refreshed to show the escalation.
    expect(mocks.inputsOf('postSlackReview').map((input) => input.channel)).toEqual(['#data-approvals', '#security']);
    const notices = mocks.inputsOf('postSlackNotice');
    expect(notices.map((input) => input.notice)).toEqual(
      [1, 2].map(() => ({
        kind: 'escalation',
        actionId: admitted.actionId,
        mention: ['carol', 'mallory'],
        approvals: 0,
        quorum: 1,
        deadline: admitted.deadline,
        approverGroups: ['security-oncall'],
      })),
    );
    const messages = (escalated.notifications ?? [])
      .filter((record) => record.purpose === undefined)
      .map((record) => readMessageRef(record.ref ?? { conversation: '', messageId: '' }));
    expect(notices.map((input) => readMessageRef(input.ref)).sort(byMessageId)).toEqual([...messages].sort(byMessageId));
    const refreshes = mocks.inputsOf('updateSlackReview');
    expect(refreshes.filter((input) => input.state.escalation !== undefined).map((input) => readMessageRef(input.ref))).toContainEqual(messages[0]);

    expect(approved.votes).toEqual([expect.objectContaining({ reviewer: 'mallory', verdict: 'approve' })]);
    expect(final.status).toBe('succeeded');
    expect(mocks.inputsOf('executeOperation')).toEqual([expect.objectContaining({ approvers: ['mallory'] })]);
    expect(reviewStory(mocks)).toEqual(['review.escalated', 'vote.recorded', 'action.approved']);
    expect(mocks.auditEvents.find((event) => event.kind === 'review.escalated')?.data).toEqual({
      approverGroups: ['security-oncall'],
      addedApprovers: ['carol', 'mallory'],
      channels: ['slack:#data-approvals', 'slack:#security'],
    });
    expect(scheduledActivities(await historyOf(bed.client, admitted.actionId)).filter((name) => name === 'executeOperation')).toHaveLength(1);
  });

  it('sends a reminder due with the escalation after it, so the reminder names the escalated approvers', async () => {
    const review = reviewDecision({
      eligibleApprovers: ['alice', 'bob'],
      timeoutMs: 4 * HOUR_MS,
      remindBeforeMs: [2 * HOUR_MS],
      escalation: escalation(2 * HOUR_MS, ['carol']),
    });
    const mocks = mockActivities(review);
    const final = await bed.withWorker(mocks.activities, async (taskQueue) => (await startAction(bed, taskQueue)).handle.result());

    expect(final.status).toBe('expired');
    expect(final.reminders?.map((reminder) => reminder.pending)).toEqual([['alice', 'bob', 'carol']]);
    expect(reviewStory(mocks)).toEqual(['review.escalated', 'review.reminded', 'action.expired']);
  });
});

function byMessageId(a: { messageId: string }, b: { messageId: string }): number {
  return a.messageId.localeCompare(b.messageId);
}
