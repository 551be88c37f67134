import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { CookieBrowser, devSignIn } from '../support/cookie-browser';
import { startConsoleStack, type ConsoleStack } from '../support/console-stack';
import { requestInlinePolicy } from '../support/inline-policy-request';
import { bundleWorkflows, type Stack } from '../support/stack';
import { testS3 } from '../support/test-aws';
import { requestCopy as submitCopy } from '../support/copy-request';

const POLICY_FILE = join(__dirname, '..', 'fixtures', 'policy-console.yaml');
const HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(1)> javascript:alert(1)';
const PEOPLE = ['alice', 'bob', 'dave', 'erin'] as const;
type Person = (typeof PEOPLE)[number];

/** A page as a test reads it. */
interface Page {
  status: number;
  url: string;
  html: string;
}

/**
 * The console's pages on the real stack (Temporal dev server, worker, moto, the dev OpenID provider):
 * the inbox and its live stream, the action page with its vote forms (CSRF, step-up, refusals),
 * the lists, the auditors' pages, and error pages; agent-supplied text always inert.
 */
describe('console pages', () => {
  let bundle: WorkflowBundle;
  let consoleStack: ConsoleStack;
  let stack: Stack;
  let base: string;
  const browsers = {} as Record<Person, CookieBrowser>;
  const s3 = testS3();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    consoleStack = await startConsoleStack(bundle, {
      policyFile: POLICY_FILE,
      // Known to the identity provider only: frank through his IdP group, mallory with none that counts.
      extraPeople: [
        { id: 'frank', email: 'Frank@Example.com', groups: ['staff', 'sec-oncall'] },
        { id: 'mallory', email: 'mallory@example.com', groups: ['staff'] },
      ],
    });
    stack = consoleStack.stack;
    base = consoleStack.baseUrl;
    for (const person of PEOPLE) {
      browsers[person] = new CookieBrowser();
      const landed = await devSignIn(browsers[person], `${base}/console/login`, person);
      expect(landed.url).toBe(`${base}/console`);
    }
  });
  afterAll(async () => {
    await consoleStack?.stop();
    s3.destroy();
  });

  async function page(person: Person, path: string): Promise<Page> {
    const response = await browsers[person].follow(`${base}${path}`);
    return { status: response.status, url: response.url, html: await response.text() };
  }

  /** A form posted as the browser posts it, without following the answer. */
  async function post(person: Person, path: string, form: Record<string, string>, accept = 'text/html') {
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept, cookie: browsers[person].cookieHeader(base), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
    return { status: response.status, location: response.headers.get('location'), text: await response.text() };
  }

  function field(html: string, name: string): string {
    const value = new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];
    if (!value) throw new Error(`no ${name} field in the page`);
    return value;
  }

  /** Requests a copy as `as` (an API principal with the requester role); answers its id, pending review. */
  async function requestCopy(as: string, options: { justification?: string; folder?: string; context?: object } = {}): Promise<string> {
    const { response, id } = await submitCopy(stack, s3, as, {
      folder: options.folder ?? 'reports',
      justification: options.justification ?? 'Quarterly report for the finance team',
      ...(options.context ? { extra: { context: options.context } } : {}),
    });
    expect(response.statusCode).toBe(202);
    expect(response.json().status).toBe('pending_review');
    return id;
  }

  async function actionView(id: string) {
    return (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
  }

  async function waitFor<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  const inboxFragment = (person: Person) => page(person, '/console/inbox/fragment').then((fragment) => fragment.html);
  const actionLink = (id: string) => `href="/console/actions/${id}"`;

  it('lists a pending action in its approvers’ inboxes, never in its requester’s or a non-approver’s', async () => {
    const id = await requestCopy('alice');
    await waitFor(
      'the action in bob’s inbox',
      () => inboxFragment('bob'),
      (html) => html.includes(actionLink(id)),
    );

    const inbox = await page('bob', '/console');
    expect(inbox.status).toBe(200);
    expect(inbox.html).toContain(actionLink(id));
    expect(inbox.html).toContain('<strong>bob</strong>');
    expect(inbox.html).toContain('data-deadline=');
    expect(inbox.html).toContain('src="/console/assets/console.js"');
    // alice asked for it and dave approves other rules: neither may decide it.
    expect(await inboxFragment('alice')).not.toContain(actionLink(id));
    expect(await inboxFragment('dave')).not.toContain(actionLink(id));
    // alice finds it among her requests; everyone in History.
    expect((await page('alice', '/console/requests')).html).toContain(actionLink(id));
    expect((await page('dave', '/console/history?status=pending_review&requester=alice')).html).toContain(actionLink(id));
    expect((await page('dave', '/console/history?requester=etl-bot')).html).not.toContain(actionLink(id));
  });

  it('streams an inbox event at once and another when a vote arrives elsewhere', async () => {
    const id = await requestCopy('etl-bot');
    const before = await waitFor(
      'the action in bob’s inbox',
      () => inboxFragment('bob'),
      (html) => html.includes(actionLink(id)),
    );
    const listed = /data-version="([0-9a-f]+)"/.exec(before)?.[1];

    const abort = new AbortController();
    const response = await fetch(`${base}/console/inbox/events`, {
      headers: { accept: 'text/event-stream', cookie: browsers.bob.cookieHeader(base) },
      signal: abort.signal,
    });
    try {
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const events = inboxEvents(response);
      const first = await events.next();
      expect(first.value).toEqual({ version: listed });

      // alice approves through the API: the action leaves the pending reviews, and the stream says so.
      const vote = await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' });
      expect(vote.statusCode).toBe(200);
      const next = await events.next();
      expect(next.value?.version).not.toEqual(listed);
      const after = await inboxFragment('bob');
      expect(after).toContain(`data-version="${next.value?.version}"`);
      expect(after).not.toContain(actionLink(id));
    } finally {
      abort.abort();
    }
  });

  it('refuses a stream without a session: 401, never a sign-in redirect', async () => {
    const response = await fetch(`${base}/console/inbox/events`, { headers: { accept: 'text/event-stream' }, redirect: 'manual' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: 'unauthenticated' } });
  });

  it('shows every param, the justification and the context, with hostile text inert', async () => {
    const id = await requestCopy('etl-bot', {
      justification: `Finance asked. ${HOSTILE}`,
      context: { ticket: '<a href="javascript:alert(2)">FIN-1</a>', nested: { steps: ['one', 'two'] } },
    });
    const view = await actionView(id);
    const action = await page('bob', `/console/actions/${id}`);
    expect(action.status).toBe(200);
    for (const value of Object.values(view.params as Record<string, string>)) expect(action.html).toContain(value);
    expect(action.html).toContain('Finance asked.');
    // Escaped as text (Preact escapes `<`, `&` and `"`: no tag can start).
    expect(action.html).toContain('Finance asked. &lt;script>alert(1)&lt;/script> &lt;img src=x onerror=alert(1)> javascript:alert(1)');
    expect(action.html).not.toContain('<script>alert');
    expect(action.html).not.toContain('<img src=x');
    expect(action.html).not.toMatch(/href="javascript:/i);
    expect(action.html).toContain('&lt;a href=\\&quot;javascript:alert(2)\\&quot;>FIN-1&lt;/a>');
    // Nested values as pretty JSON.
    expect(action.html).toMatch(/&quot;steps&quot;: \[\n\s+&quot;one&quot;/);
    // The policy's decision, the preview, the Temporal UI link, the timeline.
    expect(action.html).toContain('review-copies');
    expect(action.html).toContain('Data leaves its home bucket');
    expect(action.html).toContain(`href="http://127.0.0.1:8233/namespaces/default/workflows/${id}"`);
    expect(action.html).toContain('request.received');
    expect(action.html).toContain('policy.decided');
    // One script, from the console's origin; no inline script or style anywhere.
    expect(action.html.match(/<script/g)).toHaveLength(1);
    expect(action.html).not.toMatch(/ style=|<style/);
    // Links the console built only: its own pages, its assets, the Temporal UI.
    const hrefs = [...action.html.matchAll(/href="([^"]*)"/g)].map((match) => match[1] ?? '');
    for (const href of hrefs) expect(href).toMatch(/^(\/console(\/|$)|http:\/\/127\.0\.0\.1:8233\/)/);
  });

  it('approves through the form: 303 back to the page, the action runs, a second submit of the same form counts once', async () => {
    const id = await requestCopy('etl-bot', { folder: 'quorum-2' });
    const action = await page('bob', `/console/actions/${id}`);
    expect(action.html).toContain('name="decision" value="approve"');
    const form = { _csrf: field(action.html, '_csrf'), nonce: field(action.html, 'nonce'), decision: 'approve', comment: 'Looks right' };

    const first = await post('bob', `/console/actions/${id}/decisions`, form);
    expect(first.status).toBe(303);
    expect(first.location).toBe(`/console/actions/${id}?voted=approve`);
    const again = await post('bob', `/console/actions/${id}/decisions`, form);
    expect(again.status).toBe(303);
    // The page's other button shares its nonce: a reject sent after the approval is not a second vote.
    const crossed = await post('bob', `/console/actions/${id}/decisions`, { ...form, decision: 'reject', comment: 'changed my mind' });
    expect(crossed.status).toBe(409);
    expect(crossed.text).toContain('this page already sent another vote, which stands');
    const pending = await actionView(id);
    expect(pending.status).toBe('pending_review');
    expect(pending.votes).toEqual([expect.objectContaining({ reviewer: 'bob', verdict: 'approve', channel: 'console', comment: 'Looks right' })]);

    const voted = await page('bob', `/console/actions/${id}?voted=approve`);
    expect(voted.html).toContain('Your approval is recorded.');
    expect(voted.html).toContain('You already approved this action.');
    expect(voted.html).not.toContain('name="decision"');
    expect((await page('bob', '/console/decisions')).html).toContain(actionLink(id));
    // Marked in bob's inbox; still to decide in alice's.
    await waitFor(
      'bob’s vote in his inbox',
      () => inboxFragment('bob'),
      (html) => html.includes('You approved'),
    );

    const alicePage = await page('alice', `/console/actions/${id}`);
    const second = await post('alice', `/console/actions/${id}/decisions`, {
      _csrf: field(alicePage.html, '_csrf'),
      nonce: field(alicePage.html, 'nonce'),
      decision: 'approve',
    });
    expect(second.status).toBe(303);
    const done = await waitFor(
      'the copy to run',
      () => actionView(id),
      (view) => view.status === 'succeeded',
    );
    expect(done.review.approvals).toEqual(['bob', 'alice']);
    const closed = await page('bob', `/console/actions/${id}`);
    expect(closed.html).toContain('Votes are closed');
    expect(closed.html).toContain('operation.succeeded');
  });

  it('rejects only with a reason', async () => {
    const id = await requestCopy('etl-bot');
    const action = await page('bob', `/console/actions/${id}`);
    expect(action.html).toMatch(/<textarea[^>]*name="comment"[^>]*required/);
    const form = { _csrf: field(action.html, '_csrf'), nonce: field(action.html, 'nonce'), decision: 'reject' };

    const bare = await post('bob', `/console/actions/${id}/decisions`, { ...form, comment: '   ' });
    expect(bare.status).toBe(400);
    expect(bare.text).toContain('A rejection needs a reason.');
    expect((await actionView(id)).votes).toEqual([]);

    const reasoned = await post('bob', `/console/actions/${id}/decisions`, { ...form, comment: 'Not this <quarter>' });
    expect(reasoned.status).toBe(303);
    const rejected = await actionView(id);
    expect(rejected.status).toBe('rejected');
    expect(rejected.votes).toEqual([expect.objectContaining({ reviewer: 'bob', verdict: 'reject', channel: 'console', comment: 'Not this <quarter>' })]);
    expect((await page('bob', `/console/actions/${id}`)).html).toContain('Not this &lt;quarter>');
  });

  it('shows no vote to a non-approver or the requester, and refuses a forged vote with a valid CSRF token', async () => {
    const id = await requestCopy('alice');
    const asDave = await page('dave', `/console/actions/${id}`);
    expect(asDave.status).toBe(200);
    expect(asDave.html).not.toContain('name="decision"');
    expect(asDave.html).toContain('You are not an approver of rule review-copies (approvers: data-owners).');
    expect((await page('alice', `/console/actions/${id}`)).html).toContain('You requested this action');

    const forged = await post('dave', `/console/actions/${id}/decisions`, {
      _csrf: field(asDave.html, '_csrf'),
      nonce: randomUUID().replace(/-/g, ''),
      decision: 'approve',
    });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('not_an_approver');
    const view = await actionView(id);
    expect(view.status).toBe('pending_review');
    expect(view.votes).toEqual([]);
  });

  it('refuses a vote without the session’s CSRF token: 403 csrf_token_invalid', async () => {
    const id = await requestCopy('etl-bot');
    const nonce = randomUUID().replace(/-/g, '');
    const json = await post('bob', `/console/actions/${id}/decisions`, { nonce, decision: 'approve' }, 'application/json');
    expect(json.status).toBe(403);
    expect(JSON.parse(json.text)).toMatchObject({ error: { code: 'csrf_token_invalid' } });
    // A browser gets a page saying the same.
    const html = await post('bob', `/console/actions/${id}/decisions`, { nonce, decision: 'approve', _csrf: 'forged' });
    expect(html.status).toBe(403);
    expect(html.text).toContain('csrf_token_invalid');
    expect(html.text).toMatch(/^<!doctype html>/);
    // Another person's token does not pass for bob's either.
    const daves = field((await page('dave', '/console')).html, '_csrf');
    expect((await post('bob', `/console/actions/${id}/decisions`, { nonce, decision: 'approve', _csrf: daves })).status).toBe(403);
    expect((await actionView(id)).votes).toEqual([]);
  });

  it('shows an inline policy change as a diff with its widening flagged, and takes a vote from a fresh sign-in', async () => {
    const submitted = await requestInlinePolicy(stack, {
      policyName: 'everything',
      policyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'All', Effect: 'Allow', Action: ['s3:*'], Resource: ['*'] }] },
      justification: 'The pipeline needs broad access',
    });
    expect(submitted.statusCode).toBe(202);
    const { id } = submitted;
    expect(submitted.body).toMatchObject({ status: 'pending_review', policy: { ruleId: 'review-inline-policies' } });

    const asDave = await page('dave', `/console/actions/${id}`);
    expect(asDave.html).toContain('This change widens access.');
    expect(asDave.html).toMatch(/<span class="diff-line diff-add">\+ +Action s3:\*\n<\/span>/);
    expect(asDave.html).toContain('votes count only from a sign-in at most 5m old');
    // dave signed in moments ago: the step-up is met, the forms are there.
    expect(asDave.html).toContain('name="decision" value="approve"');
    // bob is no approver of this rule.
    expect((await page('bob', `/console/actions/${id}`)).html).toContain('You are not an approver of rule review-inline-policies');

    const approved = await post('dave', `/console/actions/${id}/decisions`, {
      _csrf: field(asDave.html, '_csrf'),
      nonce: field(asDave.html, 'nonce'),
      decision: 'approve',
    });
    expect(approved.status).toBe(303);
    const done = await waitFor(
      'the policy to be put',
      () => actionView(id),
      (view) => view.status === 'succeeded',
    );
    expect(done.votes).toEqual([expect.objectContaining({ reviewer: 'dave', channel: 'console' })]);
  });

  it('lets someone the policy never names approve through an IdP group, and keeps out who has none', async () => {
    const refused = new CookieBrowser();
    const outcome = await devSignIn(refused, `${base}/console/login`, 'mallory');
    expect(outcome.status).toBe(403);
    expect(await outcome.text()).toContain('has no console role');

    const submitted = await requestInlinePolicy(stack, {
      policyName: 'reports-read',
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::airlock-src/*'] }] },
      justification: 'The report job reads its source bucket',
    });
    expect(submitted.body).toMatchObject({ status: 'pending_review' });
    const frank = new CookieBrowser();
    const landed = await devSignIn(frank, `${base}/console/login?returnTo=${encodeURIComponent(`/console/actions/${submitted.id}`)}`, 'frank');
    const html = await landed.text();
    expect(html).toContain('frank@example.com');
    const approved = await fetch(`${base}/console/actions/${submitted.id}/decisions`, {
      method: 'POST',
      redirect: 'manual',
      headers: { accept: 'text/html', cookie: frank.cookieHeader(base), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: field(html, '_csrf'), nonce: field(html, 'nonce'), decision: 'approve' }).toString(),
    });
    expect(approved.status).toBe(303);
    const done = await waitFor(
      'the policy to be put',
      () => actionView(submitted.id),
      (view) => view.status === 'succeeded',
    );
    // Recorded as the address the IdP vouched for, with the sign-in behind the vote.
    expect(done.votes).toEqual([
      expect.objectContaining({ reviewer: 'frank@example.com', channel: 'console', signIn: expect.objectContaining({ issuer: consoleStack.provider.issuer }) }),
    ]);
  });

  it('keeps the audit pages to auditors, and shows them the lineage, the chain check and the export', async () => {
    const id = await requestCopy('etl-bot');
    const approved = await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve', comment: 'ok' });
    expect(approved.statusCode).toBe(200);
    await waitFor(
      'the copy to run',
      () => actionView(id),
      (view) => view.status === 'succeeded',
    );

    for (const path of ['/console/audit', `/console/audit/actions/${id}`, '/console/audit/verify', `/console/audit/export?action=${id}`]) {
      const refused = await page('bob', path);
      expect({ path, status: refused.status }).toEqual({ path, status: 403 });
      expect(refused.html).toContain('forbidden');
    }
    expect((await page('bob', '/console')).html).not.toContain('href="/console/audit"');
    expect((await page('erin', '/console')).html).toContain('href="/console/audit"');

    const search = await page('erin', `/console/audit?action=${id}`);
    expect(search.status).toBe(200);
    expect(search.html).toContain(`href="/console/audit/actions/${id}"`);
    expect(search.html).toContain(`href="/console/audit/export?action=${id}"`);

    const lineage = await page('erin', `/console/audit/actions/${id}`);
    expect(lineage.status).toBe(200);
    for (const kind of ['request.received', 'policy.decided', 'vote.recorded', 'action.approved', 'operation.succeeded']) expect(lineage.html).toContain(kind);
    expect(lineage.html).toContain('&quot;verdict&quot;: &quot;approve&quot;');

    const verify = await page('erin', '/console/audit/verify');
    expect(verify.status).toBe(200);
    expect(verify.html).toContain('The audit trail is whole.');

    const exported = await fetch(`${base}/console/audit/export?action=${id}`, { headers: { cookie: browsers.erin.cookieHeader(base) } });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(exported.headers.get('content-disposition')).toContain('attachment');
    const lines = (await exported.text()).trim().split('\n');
    const records = lines.map((line) => JSON.parse(line) as { seq: number; kind: string; actionId: string; hash: string });
    expect(records[0]?.kind).toBe('request.received');
    expect(records.every((record) => record.actionId === id && /^[0-9a-f]{64}$/.test(record.hash))).toBe(true);
    expect(records.map((record) => record.kind)).toContain('vote.recorded');
  });

  it('answers browsers with error pages and other callers with JSON, keeping the status', async () => {
    const unknownShape = await page('bob', '/console/actions/not-an-action');
    expect(unknownShape.status).toBe(404);
    expect(unknownShape.html).toMatch(/^<!doctype html>/);
    expect(unknownShape.html).toContain('action_not_found');
    const unknown = await page('bob', `/console/actions/action-s3.copyObject-${'a'.repeat(16)}`);
    expect(unknown.status).toBe(404);
    const nowhere = await page('bob', '/console/no-such-page?<b>x</b>');
    expect(nowhere.status).toBe(404);
    expect(nowhere.html).toContain('not_found');
    expect(nowhere.html).not.toContain('<b>x</b>');

    const json = await fetch(`${base}/console/no-such-page`, { headers: { cookie: browsers.bob.cookieHeader(base) } });
    expect(json.status).toBe(404);
    expect(await json.json()).toMatchObject({ error: { code: 'not_found' } });
    const badFilter = await page('bob', '/console/history?requester=%27%20OR%201%3D1');
    expect(badFilter.status).toBe(400);
    expect(badFilter.html).toContain('is not an identity id');
  });

  it('serves the stylesheet and the script from the console’s origin', async () => {
    const script = await fetch(`${base}/console/assets/console.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await script.text()).toContain('EventSource');
    const css = await fetch(`${base}/console/assets/console.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const etag = css.headers.get('etag') ?? '';
    expect((await fetch(`${base}/console/assets/console.css`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect((await fetch(`${base}/console/assets/..%2Fplugin.ts`)).status).toBe(404);
  });
});

/** The `inbox` events of a server-sent event stream, parsed. */
async function* inboxEvents(response: Response): AsyncGenerator<{ version: string }> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffered = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let end = buffered.indexOf('\n\n');
    while (end !== -1) {
      const frame = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      const lines = frame.split('\n');
      const data = lines.find((line) => line.startsWith('data: '));
      if (lines.includes('event: inbox') && data) yield JSON.parse(data.slice('data: '.length)) as { version: string };
      end = buffered.indexOf('\n\n');
    }
  }
}
