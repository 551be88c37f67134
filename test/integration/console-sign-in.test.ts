import { join } from 'node:path';
import type { WorkflowBundle } from '@temporalio/worker';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { CookieBrowser, devSignIn } from '../support/cookie-browser';
import { startConsoleStack, type ConsoleStack } from '../support/console-stack';
import { bundleWorkflows } from '../support/stack';

const EXAMPLE_POLICY_FILE = join(PROJECT_ROOT, 'config', 'example-policy.yaml');
const SESSION_COOKIE = 'airlock_console';

/**
 * Signing in to the console at a real OpenID provider (the dev provider npm start runs), with
 * openid-client on Airlock's side: authorization code + PKCE, the sealed session cookie, CSRF on
 * sign-out, the security headers of every page.
 */
describe('console sign-in', () => {
  let bundle: WorkflowBundle;
  let consoleStack: ConsoleStack;
  let base: string;

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    consoleStack = await startConsoleStack(bundle, { policyFile: EXAMPLE_POLICY_FILE, worker: false });
    base = consoleStack.baseUrl;
  });
  afterAll(async () => {
    await consoleStack?.stop();
  });

  it('sends a visitor without a session to sign in, and back to the page asked for afterwards', async () => {
    const response = await fetch(`${base}/console?tab=mine`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/console/login?returnTo=${encodeURIComponent('/console?tab=mine')}`);

    const browser = new CookieBrowser();
    const landed = await devSignIn(browser, `${base}${response.headers.get('location') ?? ''}`, 'alice');
    expect(landed.url).toBe(`${base}/console?tab=mine`);
    expect(landed.status).toBe(200);
    const page = await landed.text();
    expect(page).toContain('<strong>alice</strong>');
    expect(page).toContain('reviewer');
  });

  it('seals the session in an httpOnly, SameSite cookie and serves pages with a strict CSP, never cached', async () => {
    const login = await fetch(`${base}/console/login`, { redirect: 'manual' });
    const transaction = login.headers.getSetCookie().find((cookie) => cookie.startsWith('airlock_console_login='));
    expect(transaction).toMatch(/HttpOnly/i);
    expect(transaction).toMatch(/SameSite=Lax/i);
    expect(transaction).toMatch(/Path=\/console\/callback/);
    const authorize = new URL(login.headers.get('location') ?? '');
    expect(authorize.origin).toBe(consoleStack.provider.issuer);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${base}/console/callback`);

    const browser = new CookieBrowser();
    await devSignIn(browser, `${base}/console/login`, 'bob');
    const session = browser.cookie(base, SESSION_COOKIE) ?? '';
    // A JWE: five segments, nothing readable in it.
    expect(session.split('.')).toHaveLength(5);
    expect(Buffer.from(session, 'base64url').toString('latin1')).not.toContain('bob');

    const page = await fetch(`${base}/console`, { headers: { cookie: browser.cookieHeader(base) } });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');

    // The API's own routes get none of it: no cookie opens them, and helmet is the console's only.
    const api = await fetch(`${base}/v1/catalogue`, { headers: { cookie: browser.cookieHeader(base) } });
    expect(api.status).toBe(401);
    expect(api.headers.get('content-security-policy')).toBeNull();
  });

  it('refuses an altered session cookie: the visitor must sign in again', async () => {
    const browser = new CookieBrowser();
    await devSignIn(browser, `${base}/console/login`, 'alice');
    const session = browser.cookie(base, SESSION_COOKIE) ?? '';
    const parts = session.split('.');
    const tampered = [...parts.slice(0, 3), `${parts[3]?.slice(0, -2) ?? ''}AA`, parts[4]].join('.');
    const response = await fetch(`${base}/console`, { redirect: 'manual', headers: { accept: 'text/html', cookie: `${SESSION_COOKIE}=${tampered}` } });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/console\/login/);
  });

  it('refuses a callback whose state is not the one this browser began with', async () => {
    const browser = new CookieBrowser();
    await browser.follow(`${base}/console/login`, { stopAt: consoleStack.provider.issuer });
    const response = await fetch(`${base}/console/callback?code=forged&state=forged`, {
      redirect: 'manual',
      headers: { cookie: browser.cookieHeader(base) },
    });
    expect(response.status).toBe(400);
    expect(response.headers.getSetCookie().some((cookie) => cookie.startsWith(`${SESSION_COOKIE}=`) && !/Expires=Thu, 01 Jan 1970/i.test(cookie))).toBe(false);
    // And one with no sign-in begun at all.
    const none = await fetch(`${base}/console/callback?code=x&state=y`, { redirect: 'manual' });
    expect(none.status).toBe(400);
  });

  it('never returns to another site after sign-in', async () => {
    for (const returnTo of [
      '//evil.example/console',
      'https://evil.example/',
      '/\\evil.example',
      '/v1/actions',
      '/console/../v1',
      '/console/%2e%2e/v1',
      '/console/./../v1',
    ]) {
      const browser = new CookieBrowser();
      const landed = await devSignIn(browser, `${base}/console/login?returnTo=${encodeURIComponent(returnTo)}`, 'alice');
      expect(landed.url).toBe(`${base}/console`);
    }
  });

  it('signs out only with the CSRF token of the session, and the cookie no longer opens the console afterwards', async () => {
    const browser = new CookieBrowser();
    const landed = await devSignIn(browser, `${base}/console/login`, 'carol');
    const token = /name="_csrf" value="([^"]+)"/.exec(await landed.text())?.[1];
    expect(token).toBeDefined();
    const sessionCookie = browser.cookieHeader(base);

    const withoutToken = await fetch(`${base}/console/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: sessionCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(withoutToken.status).toBe(403);
    expect(await withoutToken.json()).toMatchObject({ error: { code: 'csrf_token_invalid' } });

    // Another person's token does not sign carol out either.
    const other = new CookieBrowser();
    const otherPage = await devSignIn(other, `${base}/console/login`, 'dave');
    const otherToken = /name="_csrf" value="([^"]+)"/.exec(await otherPage.text())?.[1] ?? '';
    const crossed = await fetch(`${base}/console/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: sessionCookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: otherToken }).toString(),
    });
    expect(crossed.status).toBe(403);

    const out = await browser.follow(`${base}/console/logout`, { form: new URLSearchParams({ _csrf: token ?? '' }) });
    expect(out.url).toBe(`${base}/console/signed-out`);
    expect(browser.cookie(base, SESSION_COOKIE)).toBeUndefined();
    const after = await fetch(`${base}/console`, { redirect: 'manual', headers: { accept: 'text/html', cookie: browser.cookieHeader(base) } });
    expect(after.status).toBe(303);
  });

  it('asks the provider for a fresh sign-in on a step-up, even while its own session lasts', async () => {
    const browser = new CookieBrowser();
    await devSignIn(browser, `${base}/console/login`, 'alice');
    // An ordinary second sign-in rides on the provider's session: no login page.
    const again = await browser.follow(`${base}/console/login?returnTo=/console`);
    expect(again.url).toBe(`${base}/console`);
    // A step-up is sent through the login page again.
    const stepUp = await browser.follow(`${base}/console/login?returnTo=/console&maxAge=60`);
    expect(await stepUp.text()).toContain('name="login"');
  });
});
