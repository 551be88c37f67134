import type { ActionsBlock, KnownBlock, SectionBlock } from '@slack/types';
import { reviewMessage, type ReviewMessage } from '../../../../channels/review-message';
import { SLACK_APPROVE_ACTION, SLACK_REASON_BLOCK, SLACK_REASON_INPUT, SLACK_REJECT_ACTION, SLACK_REJECT_MODAL } from '../../../../channels/slack/action-ids';
import { reviewBlocks } from '../../../../channels/slack/blocks';
import { rejectReasonModal } from '../../../../channels/slack/inbound/reject-modal';
import { ActionStatus, type ActionState, type JsonObject, type Vote } from '../../../../domain/types';
import { sampleActionState, SAMPLE_ACTION_ID as ACTION_ID } from '../../../support/action-state';
import { blockKitProblems, modalProblems } from '../../../support/slack-double';

const LINKS = { namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233' };
const DEADLINE = '2026-11-21T14:00:00.000Z';
const INJECTIONS = ['<@U123>', '<!channel>', '<https://x|y>', '<!here>', '<#C0123>'];

function state(overrides: Partial<ActionState> = {}, params?: JsonObject): ActionState {
  return sampleActionState(overrides, { source: 'mcp', channels: ['slack:#data-approvals'], ...(params ? { params } : {}) });
}

const vote = (reviewer: string, verdict: Vote['verdict'], comment?: string): Vote => ({
  reviewer,
  verdict,
  ...(comment ? { comment } : {}),
  channel: 'slack',
  at: '2026-11-21T13:05:00.000Z',
});

const render = (s: ActionState) => reviewBlocks(reviewMessage(s, LINKS));

/**
 * Every string Slack parses for markup: mrkdwn text objects anywhere in the blocks, and the
 * fallback text. (plain_text is shown as written: it cannot mention or link.)
 */
function texts(rendered: { text: string; blocks: KnownBlock[] }, types: readonly string[] = ['mrkdwn']): string[] {
  const found: string[] = [rendered.text];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.type === 'string' && types.includes(record.type) && typeof record.text === 'string') found.push(record.text);
      Object.values(record).forEach(walk);
    }
  };
  walk(rendered.blocks);
  return found;
}

/** mrkdwn with our own markup (dates, the Temporal UI link, block quotes) removed: what is left must hold no `<` or `>`. */
function withoutOwnMarkup(text: string): string {
  return text
    .replace(/^>/gm, '')
    .replace(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>|]*>/g, '')
    .replace(/<http:\/\/127\.0\.0\.1:8233\/[^<>|]*\|Open in Temporal UI>/g, '');
}

const sections = (blocks: KnownBlock[]) => blocks.filter((block): block is SectionBlock => block.type === 'section');
const actionsOf = (blocks: KnownBlock[]) => blocks.filter((block): block is ActionsBlock => block.type === 'actions');
const fieldTexts = (blocks: KnownBlock[]) => sections(blocks).flatMap((block) => (block.fields ?? []).map((field) => field.text));

describe('reviewBlocks', () => {
  it('shows the action and status, who asks, what exactly, why, risk, rule and a Temporal UI link', () => {
    const rendered = render(state());
    const shown = texts(rendered, ['mrkdwn', 'plain_text']).join('\n');
    expect(rendered.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: expect.stringContaining('s3.copyObject') } });
    expect(JSON.stringify(rendered.blocks[0])).toContain('Awaiting review');
    for (const expected of [
      'etl-bot',
      'mcp',
      'copy s3://airlock-src/a.csv to s3://airlock-exports/b.csv',
      '*sourceBucket*\n`airlock-src`',
      '*destinationKey*\n`exports/b.csv`',
      '>Finance needs the report',
      ':large_orange_circle: High',
      '`review-two-owners`: Data leaves its home bucket',
      `<http://127.0.0.1:8233/namespaces/default/workflows/${ACTION_ID}|Open in Temporal UI>`,
    ]) {
      expect(shown).toContain(expected);
    }
    expect(rendered.text).toContain('s3.copyObject');
    expect(rendered.text).toContain('etl-bot');
  });

  it.each([
    ['low', ':large_green_circle:'],
    ['medium', ':large_yellow_circle:'],
    ['high', ':large_orange_circle:'],
    ['critical', ':red_circle:'],
  ] as const)('marks %s risk with %s', (risk, emoji) => {
    const base = state();
    const shown = texts(render({ ...base, policy: { ...base.policy!, risk } })).join('\n');
    expect(shown).toContain(emoji);
  });

  it('shows the quorum, the approvals so far and the deadline in Slack date format', () => {
    const fields = fieldTexts(render(state({ votes: [vote('alice', 'approve')] })).blocks);
    expect(fields).toContain('*Approvals*\n1 of 2 approvals: alice');
    const unix = Date.parse(DEADLINE) / 1000;
    expect(fields).toContain(`*Deadline*\n<!date^${unix}^{date_short_pretty} {time}|2026-11-21 14:00 UTC>`);
    expect(fields).toContain('*Approvers*\nalice, bob, carol');
    expect(fieldTexts(render(state()).blocks)).toContain('*Approvals*\n0 of 2 approvals');
  });

  it('escapes mentions, broadcasts and links injected anywhere the agent writes', () => {
    const injected = INJECTIONS.join(' & ');
    const base = state(
      { operation: { idempotent: true, summary: `copy ${injected}` } },
      { [`key ${injected}`]: injected, nested: { note: injected }, multi: `line one\n${injected}` },
    );
    const rendered = render({
      ...base,
      request: { ...base.request, justification: `Please ${injected}\nthanks`, requester: { id: 'etl-bot<!channel>', source: 'api<@U1>' } },
    });
    for (const text of texts(rendered)) {
      const rest = withoutOwnMarkup(text);
      expect(rest).not.toMatch(/[<>]/);
      // & only as the start of one of the three escapes
      expect(rest.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
    }
    const shown = JSON.stringify(rendered);
    for (const raw of INJECTIONS) expect(shown).not.toContain(raw);
    expect(shown).toContain('&lt;@U123&gt;');
    expect(shown).toContain('&lt;!channel&gt;');
    expect(shown).toContain('&lt;https://x|y&gt;');
    expect(shown).toContain('&amp;');
  });

  it('keeps a backtick in a value from closing the code span', () => {
    const fields = fieldTexts(render(state({}, { key: 'a` <@U1> `b' })).blocks);
    const field = fields.find((text) => text.startsWith('*key*'));
    expect(field).toBe('*key*\n`aˋ &lt;@U1&gt; ˋb`');
  });

  it('has Approve and Reject buttons while open, both carrying the action id', () => {
    const [actions, ...more] = actionsOf(render(state()).blocks);
    expect(more).toEqual([]);
    expect(actions?.elements).toEqual([
      expect.objectContaining({
        type: 'button',
        action_id: SLACK_APPROVE_ACTION,
        style: 'primary',
        value: ACTION_ID,
        text: expect.objectContaining({ text: 'Approve' }),
      }),
      expect.objectContaining({
        type: 'button',
        action_id: SLACK_REJECT_ACTION,
        style: 'danger',
        value: ACTION_ID,
        text: expect.objectContaining({ text: 'Reject' }),
      }),
    ]);
  });

  const result = {
    summary: 'copied 1 object (12 bytes)',
    outputs: {},
    session: { roleArn: 'arn:aws:iam::123456789012:role/x', roleSessionName: 's', sourceIdentity: 'etl-bot' },
    completedAt: 'x',
  };
  it.each<[string, Partial<ActionState>, string, string | undefined]>([
    [
      'succeeded',
      { status: ActionStatus.Succeeded, votes: [vote('alice', 'approve'), vote('carol', 'approve')], result },
      'Executed: approved by alice, carol',
      'copied 1 object (12 bytes)',
    ],
    [
      'failed',
      { status: ActionStatus.Failed, votes: [vote('alice', 'approve')], error: { type: 'AccessDenied', message: 'denied <@U9>' } },
      'Failed after being approved by alice',
      'AccessDenied: denied &lt;@U9&gt;',
    ],
    [
      'rejected with reason',
      { status: ActionStatus.Rejected, votes: [vote('bob', 'reject', 'No data processing agreement')] },
      'Rejected by bob',
      'No data processing agreement',
    ],
    ['expired', { status: ActionStatus.Expired }, 'Expired: no decision before the deadline', undefined],
    [
      'cancelled',
      { status: ActionStatus.Cancelled, cancellation: { by: 'etl-bot', reason: 'no longer needed', at: 'x' } },
      'Cancelled by etl-bot',
      'no longer needed',
    ],
    ['denied', { status: ActionStatus.Denied }, 'Denied by policy', 'Data leaves its home bucket'],
  ])('when %s: no buttons, and the outcome right under the header', (_name, overrides, title, detail) => {
    const rendered = render(state(overrides));
    expect(actionsOf(rendered.blocks)).toEqual([]);
    const outcome = rendered.blocks[1] as SectionBlock;
    expect(outcome.type).toBe('section');
    expect(outcome.text?.text).toContain(`*${title}*`);
    if (detail) expect(outcome.text?.text).toContain(`\n>${detail}`);
    expect(rendered.text).toContain(title);
    expect(JSON.stringify(rendered.blocks)).not.toContain(SLACK_APPROVE_ACTION);
    expect(blockKitProblems(rendered.blocks)).toEqual([]);
  });

  it('shows every one of 15 params within Block Kit limits, truncating a 5000-character value', () => {
    const params: JsonObject = {};
    for (let i = 1; i <= 15; i += 1) params[`param${i}`] = `value-${i}`;
    params.param7 = 'x'.repeat(5000);
    const rendered = render(state({}, params));
    expect(blockKitProblems(rendered.blocks)).toEqual([]);

    const paramSections = sections(rendered.blocks).filter((block) => block.text?.text.startsWith('*Parameters*'));
    expect(paramSections.map((block) => block.fields?.length)).toEqual([10, 5]);
    const fields = fieldTexts(rendered.blocks);
    for (let i = 1; i <= 15; i += 1) expect(fields.some((text) => text.startsWith(`*param${i}*\n`))).toBe(true);
    const long = fields.find((text) => text.startsWith('*param7*')) ?? '';
    expect(long.length).toBeLessThanOrEqual(2000);
    expect(long).toContain('truncated; 5000 characters in full');
    expect(long).toMatch(/^\*param7\*\n`x+` … /); // the code span is still closed
    for (const text of texts(rendered, ['mrkdwn', 'plain_text'])) expect(text.length).toBeLessThanOrEqual(3000);
  });

  it('stays within 50 blocks with hundreds of params, and says how many it left out', () => {
    const params: JsonObject = {};
    for (let i = 0; i < 600; i += 1) params[`p${i}`] = i;
    const rendered = render(state({}, params));
    expect(blockKitProblems(rendered.blocks)).toEqual([]);
    expect(rendered.blocks.length).toBeLessThanOrEqual(50);
    expect(actionsOf(rendered.blocks)).toHaveLength(1); // the buttons are never the ones cut
    expect(JSON.stringify(rendered.blocks)).toMatch(/and \d+ more parameters/);
  });

  it('cuts long text at character boundaries: no half entity, no lone surrogate', () => {
    const base = state({}, { emoji: '😀'.repeat(3000), angles: '<'.repeat(3000) });
    const rendered = render({ ...base, request: { ...base.request, justification: '<>&'.repeat(2000) } });
    expect(blockKitProblems(rendered.blocks)).toEqual([]);
    for (const text of texts(rendered, ['mrkdwn', 'plain_text'])) {
      expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
    }
    for (const text of texts(rendered)) expect(withoutOwnMarkup(text).replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[&<>]/);
  });

  it('renders only from the channel-neutral message', () => {
    const message: ReviewMessage = reviewMessage(state(), LINKS);
    expect(reviewBlocks({ ...message, links: {} }).blocks.some((block) => JSON.stringify(block).includes('Temporal UI'))).toBe(false);
    expect(reviewBlocks({ ...message, deadline: undefined }).blocks.some((block) => JSON.stringify(block).includes('<!date'))).toBe(false);
  });
});

describe('rejectReasonModal', () => {
  it('asks for one required reason, with the ids the interactions handler reads', () => {
    const view = rejectReasonModal(ACTION_ID, { channel: 'C0APPROVALS', ts: '1700000000.000100' });
    expect(view).toMatchObject({
      type: 'modal',
      callback_id: SLACK_REJECT_MODAL,
      submit: { type: 'plain_text', text: 'Reject' },
      close: { type: 'plain_text', text: 'Cancel' },
    });
    expect(JSON.parse(view.private_metadata ?? '')).toEqual({ actionId: ACTION_ID, channel: 'C0APPROVALS', ts: '1700000000.000100' });
    const input = view.blocks.find((block) => block.type === 'input');
    expect(input).toMatchObject({
      block_id: SLACK_REASON_BLOCK,
      optional: false,
      element: { type: 'plain_text_input', action_id: SLACK_REASON_INPUT, multiline: true, max_length: 2000 },
    });
    expect(modalProblems(view as unknown as Record<string, unknown>)).toEqual([]);
  });

  it('carries only the action id when opened without a message', () => {
    expect(JSON.parse(rejectReasonModal(ACTION_ID).private_metadata ?? '')).toEqual({ actionId: ACTION_ID });
  });
});

describe('impact section', () => {
  const impactText = (s: ActionState): string => JSON.stringify(render(s).blocks.filter((block) => JSON.stringify(block).includes('*Impact*')));

  it('shows warnings before notes, escaped, and the detail as code', () => {
    const text = impactText(
      state({
        preview: {
          facts: { destinationExists: true },
          notes: ['copies 2.1 MB to s3://b/k <!channel>'],
          warnings: ['s3://b/k exists and would be overwritten'],
          detail: '+ Allow s3:GetObject on <arn>',
        },
      }),
    );
    expect(text).toContain(':warning: s3://b/k exists and would be overwritten');
    expect(text.indexOf(':warning:')).toBeLessThan(text.indexOf('copies 2.1 MB'));
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');
    expect(text).toContain('```+ Allow s3:GetObject on &lt;arn&gt;```');
  });

  it('says why when the preview could not be read', () => {
    const text = impactText(state({ preview: { error: { type: 'AccessDenied', message: 'not allowed to read' } } }));
    expect(text).toContain('Could not preview the impact: AccessDenied: not allowed to read');
  });

  it('stays within Block Kit limits with a huge preview, and says more is in the API', () => {
    const rendered = render(
      state({ preview: { facts: {}, notes: Array.from({ length: 500 }, (_, i) => `note ${i} ${'x'.repeat(50)}`), warnings: [], detail: 'y'.repeat(10_000) } }),
    );
    expect(blockKitProblems(rendered.blocks)).toEqual([]);
    expect(JSON.stringify(rendered.blocks)).toContain('more (see the API)');
  });

  it('is absent when there is no preview (denied on params)', () => {
    expect(impactText(state())).toBe('[]');
  });
});
