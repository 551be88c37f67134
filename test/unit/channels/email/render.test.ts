import { reviewMessage } from '../../../../channels/review-message';
import { noticeEmail, outcomeEmail, reviewEmail, reviewSubject } from '../../../../channels/email/render';
import { ActionStatus } from '../../../../domain/types';
import { SAMPLE_ACTION_ID, sampleActionState } from '../../../support/action-state';

const LINKS = { namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233', consoleUrl: 'https://airlock.example.com' };
const CONSOLE_LINK = `https://airlock.example.com/console/actions/${SAMPLE_ACTION_ID}`;

/** Every href in the HTML. */
function hrefsOf(html: string): string[] {
  return [...html.matchAll(/href="([^"]*)"/g)].map((match) => match[1] ?? '');
}

describe('review emails', () => {
  it('say who asks, what, every param, why, the rule and risk, approvals, the deadline, the preview, and link to the console page once', () => {
    const state = sampleActionState({
      preview: { facts: {}, notes: ['Copies 1 object (12 bytes)'], warnings: ['Overwrites exports/b.csv'], detail: 'diff: +1 line' },
    });
    const email = reviewEmail(reviewMessage(state, LINKS));
    expect(email.subject).toBe(`Review requested: s3.copyObject by etl-bot (${SAMPLE_ACTION_ID})`);
    for (const part of [email.text, email.html]) {
      expect(part).toContain('etl-bot');
      expect(part).toContain('s3.copyObject');
      expect(part).toContain('copy s3://airlock-src/a.csv to s3://airlock-exports/b.csv');
      expect(part).toContain('sourceBucket');
      expect(part).toContain('airlock-src');
      expect(part).toContain('destinationKey');
      expect(part).toContain('exports/b.csv');
      expect(part).toContain('Finance needs the report');
      expect(part).toContain('review-two-owners');
      expect(part).toContain('high');
      expect(part).toContain('Data leaves its home bucket');
      expect(part).toContain('Approvals: 0 of 2');
      expect(part).toContain('alice, bob, carol');
      expect(part).toContain('2026-11-21 14:00 UTC');
      expect(part).toContain('Copies 1 object (12 bytes)');
      expect(part).toContain('Overwrites exports/b.csv');
      expect(part).toContain('diff: +1 line');
      expect(part).toContain(CONSOLE_LINK);
      expect(part).toContain('Replying to this email does nothing');
    }
    // One link, the console page: no approve or reject link, no Temporal UI link.
    expect(hrefsOf(email.html)).toEqual([CONSOLE_LINK]);
    expect(email.text.match(/https?:\/\/\S+/g)).toEqual([CONSOLE_LINK]);
    expect(email.text + email.html).not.toMatch(/approve\?|reject\?|token=|8233/);
  });

  it('encode the action id in the link, and name the API route when no console URL is configured', () => {
    const withConsole = reviewEmail(reviewMessage(sampleActionState(), { namespace: 'default', consoleUrl: 'http://127.0.0.1:8080' }));
    expect(hrefsOf(withConsole.html)).toEqual([`http://127.0.0.1:8080/console/actions/${encodeURIComponent(SAMPLE_ACTION_ID)}`]);

    const withoutConsole = reviewEmail(reviewMessage(sampleActionState(), { namespace: 'default' }));
    expect(hrefsOf(withoutConsole.html)).toEqual([]);
    expect(withoutConsole.text).not.toMatch(/https?:\/\//);
    expect(withoutConsole.text).toContain(`GET /v1/actions/${SAMPLE_ACTION_ID}`);
    expect(withoutConsole.html).toContain(`GET /v1/actions/${SAMPLE_ACTION_ID}`);
  });

  it('keep hostile agent text inert: escaped in the HTML part, never a tag, attribute or link', () => {
    const state = sampleActionState({
      request: {
        ...sampleActionState().request,
        params: { destinationKey: '"><svg onload=alert(5)>', note: 'javascript:alert(6)' },
        justification: '<script>alert(1)</script> see <a href="javascript:alert(2)">here</a> & "quotes" \'too\'',
      },
      preview: { facts: {}, notes: ['<img src=x onerror=alert(3)>'], warnings: ['javascript:alert(4)'], detail: '</pre><iframe src="https://evil.example">' },
      operation: { idempotent: true, summary: '<b>bold</b> summary' },
    });
    const { html, text } = reviewEmail(reviewMessage(state, LINKS));
    // Only the template's own tags and attributes: nothing the agent wrote became markup.
    const tags = new Set([...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((match) => match[1]?.toLowerCase()));
    expect([...tags].sort()).toEqual([
      'a',
      'b',
      'body',
      'br',
      'code',
      'h2',
      'h3',
      'head',
      'html',
      'li',
      'meta',
      'p',
      'pre',
      'small',
      'span',
      'table',
      'td',
      'title',
      'tr',
      'ul',
    ]);
    const attributes = new Set([...html.matchAll(/<[a-zA-Z][^>]*>/g)].flatMap((tag) => [...tag[0].matchAll(/\s([a-zA-Z-]+)=/g)].map((match) => match[1])));
    expect([...attributes].sort()).toEqual(['cellpadding', 'charset', 'href', 'style']);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;a href=&quot;javascript:alert(2)&quot;&gt;here&lt;/a&gt; &amp; &quot;quotes&quot; &#39;too&#39;');
    expect(html).toContain('&lt;img src=x onerror=alert(3)&gt;');
    expect(html).toContain('&quot;&gt;&lt;svg onload=alert(5)&gt;');
    expect(html).toContain('&lt;/pre&gt;&lt;iframe');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt; summary');
    // `javascript:` stays text: the one href is the console's.
    expect(html).toContain('javascript:alert(6)');
    expect(hrefsOf(html)).toEqual([CONSOLE_LINK]);
    // The text part is text: shown as sent.
    expect(text).toContain('<script>alert(1)</script>');
  });

  it('keep CR, LF and other controls out of the subject, whatever the action and requester hold', () => {
    // The API admits neither (domain/action-id.ts ACTION_NAME_PATTERN, config/principals.ts
    // IDENTITY_ID_PATTERN: letters, digits and `._-` / `_+=,.@-`); the email does not rely on it.
    const state = sampleActionState({
      request: {
        ...sampleActionState().request,
        action: 's3.copyObject\r\nBcc: victim@example.com',
        requester: { id: 'etl-bot\nX-Injected: 1\u0000\u2028\u202e', source: 'api' },
      },
    });
    const message = reviewMessage(state, LINKS);
    for (const subject of [reviewSubject(message), reviewEmail(message).subject, outcomeEmail(message).subject]) {
      expect(subject).not.toMatch(/[\r\n\u0000-\u001f\u007f\u2028\u2029\u202e]/);
      expect(subject).toContain('s3.copyObject Bcc: victim@example.com by etl-bot X-Injected: 1');
    }
    expect(reviewSubject(reviewMessage(sampleActionState({ actionId: 'action-x-aaaaaaaaaaaaaaaa' }, {}), LINKS)).length).toBeLessThanOrEqual(300);
    const long = sampleActionState({ request: { ...sampleActionState().request, action: 'a'.repeat(500), requester: { id: 'r'.repeat(500), source: 'api' } } });
    expect(reviewSubject(reviewMessage(long, LINKS)).length).toBeLessThanOrEqual(300);
  });

  it('remove line and bidi controls that could fake a line or show a value other than it is, keeping line breaks in the body', () => {
    const state = sampleActionState({ request: { ...sampleActionState().request, justification: 'line one\r\nline two\u202egnp.exe\u0007' } });
    const { text, html } = reviewEmail(reviewMessage(state, LINKS));
    expect(text).toContain('line one\n  line two');
    expect(text).toContain('line twognp.exe');
    expect(text + html).not.toMatch(/[\u202e\u0007\r]/);
  });
});

describe('reminder, escalation and outcome emails', () => {
  it('a reminder says how many approvals are missing, before when, and who has not voted, and links to the console', () => {
    const message = reviewMessage(sampleActionState(), LINKS);
    const email = noticeEmail(message, {
      kind: 'reminder',
      actionId: SAMPLE_ACTION_ID,
      mention: ['alice', 'bob'],
      approvals: 0,
      quorum: 2,
      deadline: '2026-11-21T14:00:00.000Z',
    });
    expect(email.subject).toBe(`Re: ${reviewSubject(message)}`);
    expect(email.text).toContain('Reminder: this request still needs 2 more approvals (0 of 2) before 2026-11-21 14:00 UTC. Waiting on alice, bob.');
    expect(hrefsOf(email.html)).toEqual([CONSOLE_LINK]);
  });

  it('an escalation names the groups added and who may now decide', () => {
    const message = reviewMessage(sampleActionState(), LINKS);
    const email = noticeEmail(message, {
      kind: 'escalation',
      actionId: SAMPLE_ACTION_ID,
      mention: ['carol', '<mallory>'],
      approvals: 1,
      quorum: 2,
      approverGroups: ['security-oncall'],
    });
    expect(email.text).toContain(
      'Escalated: no decision yet, so the review now also goes to security-oncall: 1 more approval (1 of 2) needed. carol, <mallory>: you may now approve or reject it.',
    );
    expect(email.html).toContain('carol, &lt;mallory&gt;');
  });

  it("the outcome says how it ended, with the reviewer's reason escaped, and links to the action", () => {
    const state = sampleActionState({
      status: ActionStatus.Rejected,
      votes: [{ reviewer: 'bob', verdict: 'reject', comment: '<i>not</i> for the board', channel: 'api', at: '2026-11-21T13:10:00.000Z' }],
    });
    const email = outcomeEmail(reviewMessage(state, LINKS));
    expect(email.text).toContain('Rejected by bob');
    expect(email.text).toContain('<i>not</i> for the board');
    expect(email.html).toContain('&lt;i&gt;not&lt;/i&gt; for the board');
    expect(email.html).not.toContain('Replying to this email');
    expect(hrefsOf(email.html)).toEqual([CONSOLE_LINK]);
  });
});
