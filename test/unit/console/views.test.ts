import { h } from 'preact';
import { render } from 'preact-render-to-string';
import type { AuditRecord } from '../../../audit/audit-log';
import { diffPolicies } from '../../../operations/iam-policy-diff';
import { ActionDetail, type ActionDetailProps } from '../../../api/console/views/action-detail';
import { describeEvent } from '../../../api/console/views/audit-text';
import { diffLines, looksLikeDiff, PolicyDiff } from '../../../api/console/views/policy-diff';
import { PreviewPanel } from '../../../api/console/views/preview-panel';
import { VotePanel } from '../../../api/console/views/vote-panel';
import { ACTION_ID, pendingState } from './support';

const HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(1)> javascript:alert(1)';

function detail(overrides: Partial<ActionDetailProps> = {}): string {
  const props: ActionDetailProps = {
    state: pendingState(),
    live: true,
    events: [],
    options: { kind: 'vote' },
    csrfToken: 'token-1',
    nonce: 'nonce-0123456789abcdef',
    auditor: false,
    ...overrides,
  };
  return render(h(ActionDetail, props));
}

/** Every href of a rendered page. */
function hrefs(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1] ?? '');
}

describe('the action page', () => {
  it('renders whatever the agent wrote as text: no tag, no link, no style', () => {
    const base = pendingState();
    const state = pendingState({
      request: {
        ...base.request,
        action: `s3.copyObject${HOSTILE}`,
        justification: HOSTILE,
        params: { sourceKey: HOSTILE, nested: { href: 'javascript:alert(2)', list: [HOSTILE] } },
        context: { url: 'javascript:alert(3)' },
      },
      preview: { facts: { note: HOSTILE }, notes: [HOSTILE], warnings: [`<a href="javascript:alert(4)">x</a>`], detail: HOSTILE },
      votes: [{ reviewer: 'alice', verdict: 'approve', channel: 'api', comment: HOSTILE, at: base.updatedAt }],
    });
    const events: AuditRecord[] = [
      {
        seq: 1,
        eventId: 'e1',
        kind: 'vote.recorded',
        actionId: ACTION_ID,
        actor: 'alice',
        occurredAt: base.updatedAt,
        recordedAt: base.updatedAt,
        prevHash: '0'.repeat(64),
        hash: '1'.repeat(64),
        data: { verdict: 'approve', channel: 'api', comment: HOSTILE },
      },
    ];
    const html = detail({ state, events, temporalUi: `http://127.0.0.1:8233/namespaces/default/workflows/${ACTION_ID}` });
    expect(html).not.toMatch(/<script|<img|<a href="javascript/i);
    expect(html).not.toMatch(/ style=/);
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
    for (const href of hrefs(html)) expect(href).toMatch(/^(\/console(\/|$)|http:\/\/127\.0\.0\.1:8233\/)/);
  });

  it('shows the vote forms with the page’s token and nonce, a reason required to reject', () => {
    const html = detail();
    expect(html.match(/<form method="post" action="\/console\/actions\/[^"]+\/decisions"/g)).toHaveLength(2);
    expect(html.match(/name="_csrf" value="token-1"/g)).toHaveLength(2);
    expect(html.match(/name="nonce" value="nonce-0123456789abcdef"/g)).toHaveLength(2);
    expect(html).toMatch(/<textarea id="reject-comment" name="comment" rows="2" maxlength="2000" required><\/textarea>/i);
  });

  it('names the action’s state when no worker answered', () => {
    expect(detail({ live: false })).toContain('No worker answered in time');
  });
});

describe('VotePanel', () => {
  it('sends a step-up to sign in again, and says why when there is no vote', () => {
    const stepUp = render(
      h(VotePanel, {
        options: { kind: 'step_up', maxAgeSeconds: 300, signInUrl: '/console/login?returnTo=%2Fconsole%2Factions%2Fx&maxAge=300' },
        actionId: ACTION_ID,
        csrfToken: 't',
        nonce: 'n',
      }),
    );
    expect(stepUp).toContain('This rule asks for a fresh sign-in');
    expect(stepUp).toContain('href="/console/login?returnTo=%2Fconsole%2Factions%2Fx&amp;maxAge=300"');
    expect(stepUp).not.toContain('<form');
    const none = render(
      h(VotePanel, { options: { kind: 'none', reason: 'You already approved this action.' }, actionId: ACTION_ID, csrfToken: 't', nonce: 'n' }),
    );
    expect(none).toBe('<p class="no-vote">You already approved this action.</p>');
  });

  it('shows a refused vote’s text again in its form', () => {
    const html = render(
      h(VotePanel, { options: { kind: 'vote' }, actionId: ACTION_ID, csrfToken: 't', nonce: 'n', draft: { decision: 'reject', comment: 'Not <now>' } }),
    );
    expect(html).toMatch(/id="reject-comment"[^>]*>Not &lt;now><\/textarea>/);
  });
});

describe('the preview', () => {
  const widening = diffPolicies(
    { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] }] },
    { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] }] },
  );

  it('colours an IAM policy diff line by line', () => {
    expect(looksLikeDiff(widening.text)).toBe(true);
    const kinds = diffLines(widening.text).map((line) => line.kind);
    expect(kinds).toContain('add');
    expect(kinds).toContain('del');
    expect(kinds[0]).toBe('chg');
    const html = render(h(PolicyDiff, { text: widening.text }));
    expect(html).toContain('<span class="diff-line diff-add">');
    expect(html).toContain('<span class="diff-line diff-del">');
  });

  it('treats other detail as plain text', () => {
    expect(looksLikeDiff('copies 3 objects\n- a.csv')).toBe(false);
    expect(looksLikeDiff('')).toBe(false);
    const html = render(h(PreviewPanel, { preview: { facts: {}, notes: [], warnings: [], detail: 'copies 3 objects' } }));
    expect(html).toContain('<pre class="detail">copies 3 objects</pre>');
  });

  it('flags a widening prominently, and shows sizes for people', () => {
    const html = render(
      h(PreviewPanel, {
        preview: {
          facts: { widensAccess: true, sourceBytes: 1_234_567 },
          notes: ['replaces inline policy'],
          warnings: widening.reasons,
          detail: widening.text,
        },
      }),
    );
    expect(html).toMatch(/^<p class="alert widening" role="alert"><strong>This change widens access.<\/strong>/);
    expect(html).toContain('1.2 MB (1234567 bytes)');
    expect(render(h(PreviewPanel, { preview: { facts: { widensAccess: false }, notes: [], warnings: [] } }))).not.toContain('widens access');
    expect(render(h(PreviewPanel, { preview: { error: { type: 'AccessDenied', message: 'no' } } }))).toContain('The preview could not be read');
  });
});

describe('describeEvent', () => {
  it('says what an event was in a few words', () => {
    expect(describeEvent({ kind: 'policy.decided', data: { effect: 'review', ruleId: 'r1', risk: 'high' } })).toBe('review by rule r1 (high risk)');
    expect(describeEvent({ kind: 'vote.recorded', data: { verdict: 'reject', channel: 'console', comment: 'no' } })).toBe('rejected via console: no');
    expect(describeEvent({ kind: 'action.approved', data: { by: 'quorum', approvers: ['alice', 'bob'] } })).toBe('approved by alice, bob');
    expect(describeEvent({ kind: 'operation.failed', data: { error: { message: 'boom' } } })).toBe('failed: boom');
    expect(describeEvent({ kind: 'something.new', data: {} })).toBe('something new');
  });
});
