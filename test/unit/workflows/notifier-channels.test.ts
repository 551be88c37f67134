import { sampleActionState } from '../../support/action-state';

/**
 * The Notifier outside a workflow, as in notifier-teams.test.ts: `deprecatePatch` and the activity
 * proxies are stubbed. This file covers what the channel kinds and message refs change: refs an
 * older worker recorded as `{ channel, ts }`, and channels of a kind Airlock cannot deliver to.
 */
const activities = {
  postSlackReview: jest.fn(async (): Promise<unknown> => ({ conversation: 'C0APPROVALS', messageId: '1.1' })),
  postTeamsReview: jest.fn(async (): Promise<unknown> => ({ conversation: '19:x', messageId: 'a-1' })),
  updateSlackReview: jest.fn(async () => undefined),
  updateTeamsReview: jest.fn(async () => undefined),
  postSlackNotice: jest.fn(async (): Promise<unknown> => ({ conversation: 'C0APPROVALS', messageId: '1.2' })),
  postTeamsNotice: jest.fn(async (): Promise<unknown> => ({ conversation: '19:x', messageId: 'a-2' })),
};
const deprecatePatch = jest.fn((_id: string) => undefined);
jest.mock('@temporalio/workflow', () => ({
  deprecatePatch: (id: string) => deprecatePatch(id),
  proxyActivities: () => activities,
}));

// jest hoists jest.mock above the imports, so the notifier loads with the stubs.
import { Notifier } from '../../../workflows/notifier';

const reminder = { kind: 'reminder' as const, actionId: 'a', mention: [], approvals: 0, quorum: 1 };

describe('Notifier, message refs and channel kinds', () => {
  beforeEach(() => jest.clearAllMocks());

  it('reads back the { channel, ts } refs that histories recorded before refs were channel-neutral', async () => {
    // Replaying such a history, the post activities' results come back in the old shape.
    activities.postSlackReview.mockResolvedValueOnce({ channel: 'C0APPROVALS', ts: '1.1' });
    activities.postTeamsReview.mockResolvedValueOnce({ channel: '19:x', ts: 'a-1' });
    let changes = 0;
    const state = sampleActionState();
    const notifier = new Notifier(state, () => changes);
    await notifier.announce(['slack:#data-approvals', 'teams:19:x']);
    expect(state.notifications?.map((record) => record.ref)).toEqual([
      { conversation: 'C0APPROVALS', messageId: '1.1' },
      { conversation: '19:x', messageId: 'a-1' },
    ]);

    changes += 1;
    await notifier.refresh();
    expect(activities.updateSlackReview).toHaveBeenCalledWith(expect.objectContaining({ ref: { conversation: 'C0APPROVALS', messageId: '1.1' } }));
    expect(activities.updateTeamsReview).toHaveBeenCalledWith(expect.objectContaining({ ref: { conversation: '19:x', messageId: 'a-1' } }));

    await notifier.remind(reminder);
    expect(activities.postSlackNotice).toHaveBeenCalledWith({ ref: { conversation: 'C0APPROVALS', messageId: '1.1' }, notice: reminder });
    expect(activities.postTeamsNotice).toHaveBeenCalledWith({ ref: { conversation: '19:x', messageId: 'a-1' }, notice: reminder });
  });

  it('updates messages whose records an older worker left in the action state as { channel, ts }', async () => {
    let changes = 0;
    const state = sampleActionState({
      notifications: [{ target: 'slack:#data-approvals', status: 'sent', ref: { channel: 'C0APPROVALS', ts: '1.1' }, at: '2026-11-21T13:00:01.000Z' }],
    });
    const notifier = new Notifier(state, () => changes);
    changes += 1;
    await notifier.refresh();
    expect(activities.updateSlackReview).toHaveBeenCalledWith(expect.objectContaining({ ref: { conversation: 'C0APPROVALS', messageId: '1.1' } }));
  });

  it('records a channel of a kind Airlock cannot deliver to as a failed delivery, never dropping it silently', async () => {
    const deliveries: unknown[] = [];
    const state = sampleActionState();
    const notifier = new Notifier(
      state,
      () => 0,
      (record) => deliveries.push(record),
    );
    // Policy loading refuses such a kind today; an action decided under an older policy may name one.
    await notifier.announce(['api', 'sms:+15550100', 'slack:#data-approvals']);
    expect(deprecatePatch).toHaveBeenCalledWith('unregistered-channel');
    expect(activities.postSlackReview).toHaveBeenCalledTimes(1);
    expect(state.notifications).toEqual([
      {
        target: 'sms:+15550100',
        status: 'failed',
        error: { type: 'ChannelNotAvailable', message: expect.stringContaining('unknown channel kind "sms"') },
        at: expect.any(String),
      },
      expect.objectContaining({ target: 'slack:#data-approvals', status: 'sent' }),
    ]);
    expect(deliveries).toHaveLength(2);
  });

  it('marks that patch only when such a channel is named, so other histories carry no marker', async () => {
    const notifier = new Notifier(sampleActionState(), () => 0);
    await notifier.announce(['api', 'slack:#data-approvals']);
    expect(deprecatePatch).not.toHaveBeenCalled();
  });
});
