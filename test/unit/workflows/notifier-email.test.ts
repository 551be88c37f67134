import type * as TemporalCommon from '@temporalio/common';
import { ActionStatus } from '../../../domain/types';
import { sampleActionState } from '../../support/action-state';

/**
 * The Notifier's email messenger, outside a workflow (as notifier-teams.test.ts): an email cannot
 * be edited, so changes before the end schedule nothing, and the end sends one outcome email in
 * reply to each review email. (Determinism itself is checked by the replay tests.)
 */
const activities = {
  postSlackReview: jest.fn(async () => ({ conversation: 'C0APPROVALS', messageId: '1.1' })),
  updateSlackReview: jest.fn(async () => undefined),
  postSlackNotice: jest.fn(async () => ({ conversation: 'C0APPROVALS', messageId: '1.2' })),
  sendEmailReview: jest.fn(async (input: { to: string }) => ({ conversation: input.to, messageId: `<review.${input.to}>` })),
  sendEmailNotice: jest.fn(async (input: { ref: { conversation: string } }) => ({ conversation: input.ref.conversation, messageId: '<notice>' })),
  sendEmailOutcome: jest.fn(async () => undefined),
};
const deprecatePatch = jest.fn((_id: string) => undefined);
jest.mock('@temporalio/workflow', () => {
  // The failure classes are @temporalio/common's, which workflows/failures.ts reads a failed delivery with.
  const { ActivityFailure, ApplicationFailure } = jest.requireActual<typeof TemporalCommon>('@temporalio/common');
  return { deprecatePatch: (id: string) => deprecatePatch(id), proxyActivities: () => activities, ActivityFailure, ApplicationFailure };
});

// jest hoists jest.mock above the imports, so the notifier loads with the stubs.
import { Notifier } from '../../../workflows/notifier';

const reminder = { kind: 'reminder' as const, actionId: 'a', mention: ['alice'], approvals: 0, quorum: 2 };

describe('Notifier and email channels', () => {
  beforeEach(() => jest.clearAllMocks());

  it('emails the review, replies with reminders, schedules nothing on a change, and sends one outcome at the end', async () => {
    let changes = 0;
    const state = sampleActionState();
    const notifier = new Notifier(state, () => changes);
    await notifier.announce(['api', 'email:reviewers@example.com', 'slack:#data-approvals']);
    expect(deprecatePatch).not.toHaveBeenCalled(); // email is a registered kind: no patch marker
    expect(activities.sendEmailReview).toHaveBeenCalledWith({ state, to: 'reviewers@example.com' });
    expect(state.notifications).toEqual([
      expect.objectContaining({
        target: 'email:reviewers@example.com',
        status: 'sent',
        ref: { conversation: 'reviewers@example.com', messageId: '<review.reviewers@example.com>' },
      }),
      expect.objectContaining({ target: 'slack:#data-approvals', status: 'sent' }),
    ]);

    // A vote: Slack's message is updated, the email is not (nothing scheduled for it).
    state.votes.push({ reviewer: 'alice', verdict: 'approve', channel: 'api', at: '2026-11-21T13:05:00.000Z' });
    changes += 1;
    await notifier.refresh();
    expect(activities.updateSlackReview).toHaveBeenCalledTimes(1);
    expect(activities.sendEmailOutcome).not.toHaveBeenCalled();

    await notifier.remind(reminder);
    expect(activities.sendEmailNotice).toHaveBeenCalledWith({
      ref: { conversation: 'reviewers@example.com', messageId: '<review.reviewers@example.com>' },
      notice: reminder,
      state: expect.objectContaining({ actionId: state.actionId, votes: state.votes }),
    });
    expect(state.notifications).toContainEqual(expect.objectContaining({ target: 'email:reviewers@example.com', purpose: 'reminder', status: 'sent' }));

    // Approved and executing is not the end yet.
    state.status = ActionStatus.Executing;
    changes += 1;
    await notifier.refresh();
    expect(activities.sendEmailOutcome).not.toHaveBeenCalled();

    state.status = ActionStatus.Succeeded;
    changes += 1;
    await notifier.refresh();
    expect(activities.sendEmailOutcome).toHaveBeenCalledTimes(1);
    expect(activities.sendEmailOutcome).toHaveBeenCalledWith({
      state: expect.objectContaining({ status: ActionStatus.Succeeded }),
      ref: { conversation: 'reviewers@example.com', messageId: '<review.reviewers@example.com>' },
    });
  });

  it.each([ActionStatus.Rejected, ActionStatus.Expired, ActionStatus.Cancelled, ActionStatus.Failed])(
    'sends the outcome once the action is %s',
    async (status) => {
      let changes = 0;
      const state = sampleActionState();
      const notifier = new Notifier(state, () => changes);
      await notifier.announce(['email:reviewers@example.com']);
      state.status = status;
      changes += 1;
      await notifier.refresh();
      expect(activities.sendEmailOutcome).toHaveBeenCalledTimes(1);
    },
  );

  it('records a failed email as a failed delivery; the review goes on', async () => {
    const { ApplicationFailure } = jest.requireActual<typeof TemporalCommon>('@temporalio/common');
    activities.sendEmailReview.mockRejectedValueOnce(
      ApplicationFailure.create({ type: 'EmailPermanentError', message: 'sending the review email failed at RCPT: SMTP 550', nonRetryable: true }),
    );
    const state = sampleActionState();
    const notifier = new Notifier(state, () => 0);
    await notifier.announce(['email:nobody@example.com', 'slack:#data-approvals']);
    expect(state.notifications).toEqual([
      expect.objectContaining({
        target: 'email:nobody@example.com',
        status: 'failed',
        error: { type: 'EmailPermanentError', message: 'sending the review email failed at RCPT: SMTP 550' },
      }),
      expect.objectContaining({ target: 'slack:#data-approvals', status: 'sent' }),
    ]);
  });
});
