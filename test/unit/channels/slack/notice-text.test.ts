import { noticeText } from '../../../../channels/slack/outbound/notice-text';
import type { ReviewNotice } from '../../../../domain/types';

const SLACK_IDS: Record<string, string> = { alice: 'U0ALICE', carol: 'U0CAROL' };
const slackUserOf = (id: string): string | undefined => SLACK_IDS[id];
const reminder: ReviewNotice = {
  kind: 'reminder',
  actionId: 'action-s3.copyObject-aaaaaaaaaaaaaaaa',
  mention: ['alice', 'bob<script>'],
  approvals: 1,
  quorum: 2,
  deadline: '2026-11-22T12:00:00.000Z',
};

describe('reminder and escalation notices', () => {
  it('a reminder mentions mapped reviewers, names unmapped ones escaped, and says what is missing by when', () => {
    const text = noticeText(reminder, slackUserOf);
    expect(text).toContain('still needs 1 more approval (1 of 2)');
    expect(text).toContain('<!date^1795348800^');
    expect(text).toContain('Waiting on <@U0ALICE>, `bob&lt;script&gt;`.');
  });

  it('an escalation names the groups and tells the mentioned people they may now vote', () => {
    const text = noticeText({ ...reminder, kind: 'escalation', mention: ['carol'], approvals: 0, approverGroups: ['security-oncall'] }, slackUserOf);
    expect(text).toContain('*Escalated* to `security-oncall`');
    expect(text).toContain('2 more approvals (0 of 2) needed');
    expect(text).toContain('<@U0CAROL>: you may now approve or reject it.');
  });
});
