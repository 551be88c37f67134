import { sampleActionState } from '../../support/action-state';

/**
 * The Notifier's channel dispatch, outside a workflow: `deprecatePatch` and the activity proxies
 * are stubbed, so this checks which activities it would schedule and where the `teams-channel`
 * marker goes. (Determinism itself is checked by the replay tests.)
 */
const activities = {
  postSlackReview: jest.fn(async () => ({ conversation: 'C0APPROVALS', messageId: '1.1' })),
  postTeamsReview: jest.fn(async (input: { conversationId: string }) => ({ conversation: input.conversationId, messageId: 'a-1' })),
  updateSlackReview: jest.fn(async () => undefined),
  updateTeamsReview: jest.fn(async () => undefined),
  postSlackNotice: jest.fn(async () => ({ conversation: 'C0APPROVALS', messageId: '1.2' })),
  postTeamsNotice: jest.fn(async () => ({ conversation: '19:x', messageId: 'a-2' })),
};
const deprecatePatch = jest.fn((_id: string) => undefined);
jest.mock('@temporalio/workflow', () => ({
  deprecatePatch: (id: string) => deprecatePatch(id),
  proxyActivities: () => activities,
}));

// jest hoists jest.mock above the imports, so the notifier loads with the stubs.
import { Notifier } from '../../../workflows/notifier';

const CHANNELS = ['api', 'slack:#data-approvals', 'teams:19:approvals@thread.tacv2'];
const notice = { kind: 'reminder' as const, actionId: 'a', mention: [], approvals: 0, quorum: 1 };

describe('Notifier and Teams channels', () => {
  beforeEach(() => jest.clearAllMocks());

  it('posts, refreshes and replies in Teams as in Slack', async () => {
    let changes = 0;
    const state = sampleActionState();
    const notifier = new Notifier(state, () => changes);
    await notifier.announce(CHANNELS);
    expect(deprecatePatch).toHaveBeenCalledWith('teams-channel');
    expect(activities.postTeamsReview).toHaveBeenCalledWith(expect.objectContaining({ conversationId: '19:approvals@thread.tacv2' }));
    expect(activities.postSlackReview).toHaveBeenCalledTimes(1);
    expect(state.notifications?.map((record) => record.target)).toEqual(['slack:#data-approvals', 'teams:19:approvals@thread.tacv2']);

    changes += 1;
    await notifier.refresh();
    expect(activities.updateTeamsReview).toHaveBeenCalledWith(
      expect.objectContaining({ ref: { conversation: '19:approvals@thread.tacv2', messageId: 'a-1' } }),
    );
    expect(activities.updateSlackReview).toHaveBeenCalledTimes(1);

    await notifier.remind(notice);
    expect(activities.postTeamsNotice).toHaveBeenCalledTimes(1);
    expect(activities.postSlackNotice).toHaveBeenCalledTimes(1);
  });

  it('marks the patch only when a Teams channel is named', async () => {
    const notifier = new Notifier(sampleActionState(), () => 0);
    await notifier.announce(['api', 'slack:#data-approvals']);
    expect(deprecatePatch).not.toHaveBeenCalled();
    expect(activities.postSlackReview).toHaveBeenCalledTimes(1);
  });
});
