import { reviewMessage } from '../../../../channels/review-message';
import { TEAMS_REASON_INPUT, TEAMS_VERBS, teamsCardSummary, teamsReviewCard, type AdaptiveCard } from '../../../../channels/teams/card';
import { ActionStatus, type ActionState, type Vote } from '../../../../domain/types';
import { sampleActionState, SAMPLE_ACTION_ID as ACTION_ID } from '../../../support/action-state';

const LINKS = { namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233' };
const DEADLINE = '2026-11-21T14:00:00.000Z';

function state(overrides: Partial<ActionState> = {}): ActionState {
  return sampleActionState(overrides, { source: 'mcp', channels: ['teams:19:abc@thread.tacv2'] });
}

const vote = (reviewer: string, verdict: Vote['verdict'], comment?: string): Vote => ({
  reviewer,
  verdict,
  ...(comment ? { comment } : {}),
  channel: 'teams',
  at: '2026-11-21T13:05:00.000Z',
});

const card = (s: ActionState, notice?: string): AdaptiveCard => teamsReviewCard(reviewMessage(s, LINKS), notice ? { notice } : {});

/** Every element of a given type, anywhere in the card. */
function elements(node: unknown, type: string): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if (record.type === type) found.push(record);
      Object.values(record).forEach(walk);
    }
  };
  walk(node);
  return found;
}

/** The text a reader sees: every TextRun and TextBlock, in order. */
function visible(c: AdaptiveCard): string {
  const parts: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      const record = value as Record<string, unknown>;
      if ((record.type === 'TextRun' || record.type === 'TextBlock') && typeof record.text === 'string') parts.push(record.text);
      Object.values(record).forEach(walk);
    }
  };
  walk(c.body);
  return parts.join('\n');
}

describe('teamsReviewCard', () => {
  it('is an Adaptive Card of schema 1.4 with Universal Actions while pending', () => {
    const c = card(state({ deadline: DEADLINE }));
    expect(c).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(c.actions).toEqual([
      { type: 'Action.Execute', title: 'Approve', verb: TEAMS_VERBS.approve, data: { actionId: ACTION_ID }, style: 'positive' },
      { type: 'Action.Execute', title: 'Reject', verb: TEAMS_VERBS.reject, data: { actionId: ACTION_ID }, style: 'destructive' },
    ]);
    expect(elements(c.body, 'Input.Text')).toEqual([expect.objectContaining({ id: TEAMS_REASON_INPUT, isMultiline: true })]);
    expect(c.refresh).toEqual({ action: { type: 'Action.Execute', title: 'Refresh', verb: TEAMS_VERBS.refresh, data: { actionId: ACTION_ID } } });
  });

  it('shows who asks, what, every param, why, risk, rule, quorum and deadline', () => {
    const text = visible(card(state({ deadline: DEADLINE })));
    expect(text).toContain('s3.copyObject');
    expect(text).toContain('Awaiting review');
    expect(text).toContain('copy s3://airlock-src/a.csv to s3://airlock-exports/b.csv');
    expect(text).toContain('etl-bot');
    expect(text).toContain(' via mcp');
    expect(text).toMatch(/sourceBucket: \nairlock-src/);
    expect(text).toMatch(/destinationKey: \nexports\/b\.csv/);
    expect(text).toMatch(/0 of \d approvals?/);
    expect(text).toContain('{{DATE(2026-11-21T14:00:00Z, SHORT)}} {{TIME(2026-11-21T14:00:00Z)}}');
    expect(text).toContain(ACTION_ID);
    const link = elements(card(state()).body, 'Action.OpenUrl');
    expect(link).toEqual([{ type: 'Action.OpenUrl', url: expect.stringContaining('http://127.0.0.1:8233/') }]);
  });

  it('passes refresh user ids (at most 60) and a notice', () => {
    const users = Array.from({ length: 70 }, (_, i) => `29:user-${i}`);
    const c = teamsReviewCard(reviewMessage(state(), LINKS), { notice: 'Your approval was recorded', refreshUserIds: users });
    expect((c.refresh as { userIds: string[] }).userIds).toHaveLength(60);
    expect(visible(c).split('\n')[0]).toBe('Your approval was recorded');
  });

  it('shows approvals so far', () => {
    const text = visible(card(state({ votes: [vote('alice', 'approve')], policy: { ...state().policy!, review: { ...state().policy!.review!, quorum: 2 } } })));
    expect(text).toContain('1 of 2 approvals: alice');
  });

  it('once closed: the final status and outcome, no buttons, no input, no refresh', () => {
    const c = card(state({ status: ActionStatus.Rejected, votes: [vote('bob', 'reject', 'Not this bucket')] }));
    expect(c.actions).toBeUndefined();
    expect(c.refresh).toBeUndefined();
    expect(elements(c.body, 'Input.Text')).toEqual([]);
    expect(elements(c.body, 'Action.Execute')).toEqual([]);
    const text = visible(c);
    expect(text).toContain('Rejected by bob');
    expect(text).toContain('Not this bucket');
  });

  it('renders agent text only in TextRuns, never in markdown TextBlocks', () => {
    const evil = '[click](https://evil.example) **bold** <at>everyone</at>';
    const c = card(state({ request: { ...state().request, justification: evil, params: { note: evil } } }));
    const markdown = elements(c.body, 'TextBlock').map((block) => String(block.text));
    expect(markdown.join('\n')).not.toContain('evil');
    expect(elements(c.body, 'TextRun').filter((r) => r.text === evil)).toHaveLength(2);
  });

  it('bounds long params', () => {
    const params = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`p${i}`, 'x'.repeat(5000)]));
    const c = card(state({ request: { ...state().request, params } }));
    const text = visible(c);
    expect(text).toMatch(/…and \d+ more parameters/);
    expect(text).toContain('(truncated; 5000 characters in full)');
    // Teams refuses messages over about 28 KB.
    expect(JSON.stringify(c).length).toBeLessThan(20_000);
  });

  it('summary is one plain line', () => {
    expect(teamsCardSummary(reviewMessage(state(), LINKS))).toMatch(/^Approval needed \(\w+ risk\): s3\.copyObject requested by etl-bot/);
  });
});
