import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { SessionSealer, type ConsoleSession } from '../../api/console/session';
import { consoleLinksOf, startDevSmtpServer, type DevSmtpServer } from '../../scripts/lib/dev-smtp-server';
import { eventually } from '../support/eventually';
import { launchChromium } from '../support/chromium';
import { startConsoleStack, type ConsoleStack } from '../support/console-stack';
import { requestInlinePolicy } from '../support/inline-policy-request';
import { bundleWorkflows, type Stack } from '../support/stack';
import { testS3 } from '../support/test-aws';
import { requestCopy as submitCopy } from '../support/copy-request';

const POLICY_FILE = join(__dirname, '..', 'fixtures', 'policy-console.yaml');
const SESSION_SECRET = randomBytes(32).toString('base64url');

/**
 * The console in real Chromium (Debian's, driven by playwright-core), signing in at the dev OpenID
 * provider's own page, against the real stack: what a reviewer does, what a non-approver and a
 * forger cannot, a step-up, and agent text that stays text.
 */
describe('console in Chromium', () => {
  let bundle: WorkflowBundle;
  let consoleStack: ConsoleStack;
  let stack: Stack;
  let base: string;
  let browser: Browser;
  let smtp: DevSmtpServer;
  const contexts: BrowserContext[] = [];
  const s3 = testS3();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    smtp = await startDevSmtpServer();
    const email = { smtpUrl: smtp.url, from: 'airlock@example.com' };
    [consoleStack, browser] = await Promise.all([
      startConsoleStack(bundle, { policyFile: POLICY_FILE, sessionSecret: SESSION_SECRET, email }),
      launchChromium(),
    ]);
    stack = consoleStack.stack;
    base = consoleStack.baseUrl;
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await consoleStack?.stop();
    await smtp?.stop();
    s3.destroy();
  });

  /** A person's own browser window (cookies of their own), with what the page's scripts run into recorded. */
  async function window(): Promise<{ page: Page; dialogs: string[] }> {
    const context = await browser.newContext({ locale: 'en-US', timezoneId: 'UTC' });
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    return { page, dialogs };
  }

  /** Signs in at the provider's page, as a person types it, from wherever `path` sends a visitor without a session. */
  async function signIn(page: Page, login: string, path = '/console'): Promise<void> {
    await page.goto(`${base}${path}`);
    await page.waitForURL((url) => url.origin === consoleStack.provider.issuer);
    await page.fill('input[name="login"]', login);
    await page.fill('input[name="password"]', 'any password');
    await page.click('button[type="submit"]');
    await page.waitForURL((url) => url.origin === base);
  }

  async function requestCopy(justification = 'Quarterly report for the finance team', folder = 'reports'): Promise<string> {
    const { response, id } = await submitCopy(stack, s3, 'etl-bot', { folder, justification });
    expect(response.json()).toMatchObject({ status: 'pending_review' });
    return id;
  }

  /** Reloads the action's page until it shows `status`. */
  async function waitForStatus(page: Page, id: string, status: string): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      await page.goto(`${base}/console/actions/${id}`);
      if ((await page.locator(`.badge.status-${status}`).count()) > 0) return;
      if (Date.now() > deadline) throw new Error(`${id} never showed ${status}`);
      await page.waitForTimeout(300);
    }
  }

  /** Posts a vote from inside the page, as a script on it (or a forger with its token) would. */
  function forgeVote(page: Page, id: string, form: Record<string, string>): Promise<{ status: number; text: string }> {
    return page.evaluate(
      async ({ url, body }) => {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body,
        });
        return { status: response.status, text: await response.text() };
      },
      { url: `/console/actions/${id}/decisions`, body: new URLSearchParams(form).toString() },
    );
  }

  async function csrfToken(page: Page): Promise<string> {
    return (await page.locator('form[action="/console/logout"] input[name="_csrf"]').getAttribute('value')) ?? '';
  }

  it('signs a reviewer in at the provider, shows the request in her inbox, and her approval runs it', async () => {
    const id = await requestCopy();
    const { page } = await window();
    await signIn(page, 'alice');
    expect(new URL(page.url()).pathname).toBe('/console');

    // The inbox updates itself (SSE): the request appears without a reload if it was not there yet.
    const link = page.locator(`a[href="/console/actions/${id}"]`);
    await link.first().waitFor();
    await link.first().click();
    await page.waitForURL(`${base}/console/actions/${id}`);
    expect(await page.textContent('main')).toContain('Quarterly report for the finance team');

    await page.fill('#approve-comment', 'Board pack, fine');
    await page.click('button.approve');
    await page.waitForURL((url) => url.pathname === `/console/actions/${id}`);
    await waitForStatus(page, id, 'succeeded');
    const view = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
    expect(view).toMatchObject({ status: 'succeeded', votes: [{ reviewer: 'alice', verdict: 'approve', channel: 'console', comment: 'Board pack, fine' }] });
    // The vote carries the sign-in behind it.
    expect(view.votes[0].signIn).toMatchObject({ issuer: consoleStack.provider.issuer, authTime: expect.any(String) });
  });

  it('shows a non-approver no vote buttons, and the server refuses the vote they forge anyway', async () => {
    const id = await requestCopy();
    const { page } = await window();
    await signIn(page, 'dave', `/console/actions/${id}`);
    expect(new URL(page.url()).pathname).toBe(`/console/actions/${id}`);
    expect(await page.locator('button.approve').count()).toBe(0);
    expect(await page.textContent('main')).toContain('You are not an approver');

    const forged = await forgeVote(page, id, { _csrf: await csrfToken(page), nonce: randomUUID(), decision: 'approve' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('dave is not an approver for this request');
    expect((await stack.call('bob', 'GET', `/v1/actions/${id}`)).json().votes).toEqual([]);
  });

  it('refuses a vote posted without the CSRF token, even from a signed-in approver', async () => {
    const id = await requestCopy();
    const { page } = await window();
    await signIn(page, 'bob', `/console/actions/${id}`);
    expect(await page.locator('button.approve').count()).toBe(1);
    const forged = await forgeVote(page, id, { nonce: randomUUID(), decision: 'approve' });
    expect(forged.status).toBe(403);
    expect(JSON.parse(forged.text)).toMatchObject({ error: { code: 'csrf_token_invalid' } });
    expect((await stack.call('bob', 'GET', `/v1/actions/${id}`)).json().votes).toEqual([]);
  });

  it('asks for a fresh sign-in on a step-up rule: a stale session cannot vote, a new sign-in can', async () => {
    const id = await requestRolePolicy();
    const { page } = await window();
    // dave signed in twenty minutes ago (the rule allows five): his session, sealed as the console seals it.
    const stale: ConsoleSession = {
      sid: randomUUID(),
      identity: 'dave',
      issuer: consoleStack.provider.issuer,
      subject: 'dave',
      email: 'dave@example.com',
      roles: ['reviewer'],
      idpGroups: ['security'],
      authTime: Math.floor(Date.now() / 1000) - 20 * 60,
      expiresAt: Date.now() + 3_600_000,
    };
    const sealed = await new SessionSealer(SESSION_SECRET).sealSession(stale);
    await page.context().addCookies([{ name: 'airlock_console', value: sealed, url: base, httpOnly: true, sameSite: 'Lax' }]);

    await page.goto(`${base}/console/actions/${id}`);
    expect(await page.locator('button.approve').count()).toBe(0);
    const again = page.locator('a', { hasText: 'Sign in again to vote' });
    expect(await again.count()).toBe(1);
    // Posted anyway, the vote is refused by the workflow, which reads the signed sign-in time.
    const forged = await forgeVote(page, id, { _csrf: await csrfToken(page), nonce: randomUUID(), decision: 'approve' });
    expect(forged.status).toBe(403);
    expect(forged.text).toContain('this rule asks for a sign-in at most 5 minutes old; yours is older');

    // The link sends dave through the provider's login page again (max_age, prompt=login), and back.
    await again.click();
    await page.waitForURL((url) => url.origin === consoleStack.provider.issuer);
    await page.fill('input[name="login"]', 'dave');
    await page.fill('input[name="password"]', 'any password');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${base}/console/actions/${id}`);
    await page.click('button.approve');
    await waitForStatus(page, id, 'succeeded');
    const [vote] = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json().votes;
    expect(Date.now() - Date.parse(vote.signIn.authTime)).toBeLessThan(5 * 60_000);
  });

  it('shows a hostile justification as text: no script runs, no link is made of it', async () => {
    const hostile =
      '<script>window.pwned = 1; alert("script")</script> <img src=x onerror="window.pwned = 2; alert(\'img\')"> <a href="javascript:alert(3)">click me</a> javascript:alert(4)';
    const id = await requestCopy(hostile);
    const { page, dialogs } = await window();
    await signIn(page, 'bob', `/console/actions/${id}`);
    expect(await page.textContent('main')).toContain(hostile);
    expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it("takes a reviewer from the review email's one link, through sign-in, to the action's page, where she decides", async () => {
    const id = await requestCopy('Partner export for the joint forecast', 'mailed');
    const email = await eventually(() => smtp.messages().find((message) => message.headers['x-airlock-action-id'] === id));
    expect(email.envelope.to).toEqual(['reviewers@example.com']);
    const [link] = consoleLinksOf(email);
    expect(link).toBe(`${base}/console/actions/${id}`);

    const { page } = await window();
    await signIn(page, 'bob', new URL(link ?? '').pathname);
    expect(page.url()).toBe(link);
    expect(await page.textContent('main')).toContain('Partner export for the joint forecast');
    await page.click('button.approve');
    await waitForStatus(page, id, 'succeeded');
  });

  async function requestRolePolicy(): Promise<string> {
    const submitted = await requestInlinePolicy(stack, {
      policyName: 'reports-read',
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::airlock-src/*'] }] },
      justification: 'The report job reads its source bucket',
    });
    expect(submitted.body).toMatchObject({ status: 'pending_review', policy: { ruleId: 'review-inline-policies' } });
    return submitted.id;
  }
});
