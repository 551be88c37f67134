import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { freePort } from '../net/free-port';
import { loadPolicyFile } from '../policy';
import { devPeopleFromPolicy } from './lib/dev-oidc-accounts';
import { CONSOLE_CLIENT_ID, startDevOidcProvider, type DevOidcProvider } from './lib/dev-oidc-provider';
import type { PrivateStack } from './lib/private-stack';
import { DEMO_OBJECT, DEMO_ROLE_NAME, EXECUTOR_POLICY_NAME } from './lib/seed-demo-aws';
import { runWithPrivateStack } from './lib/stack-script';
import { PROJECT_ROOT } from './lib/tools';
import { CHROMIUM_ARGS, CHROMIUM_PATH, requireChromium } from './lib/ui-capture';

/**
 * `npm run screenshot:console`: docs/images/console-inbox.png and console-action.png. A stack of its
 * own with the console (examples/console/policy.yaml) and the dev OpenID provider; etl-bot asks for
 * an export and for a wider inline policy on the demo role; alice signs in at the provider's page in
 * headless Chromium, and the inbox and the role change's page (its policy diff) are captured. A page
 * that does not show what it must is not written.
 */
const POLICY_FILE = join(PROJECT_ROOT, 'examples', 'console', 'policy.yaml');
const IMAGES = join(PROJECT_ROOT, 'docs', 'images');
const MOTO_ACCOUNT = '123456789012';

async function main(stack: PrivateStack, oidcPort: number): Promise<void> {
  const provider = await startDevOidcProvider({
    port: oidcPort,
    people: devPeopleFromPolicy(loadPolicyFile(POLICY_FILE).document),
    consoleRedirectUris: [`${stack.apiUrl}/console/callback`],
  });
  try {
    await capture(stack, provider);
  } finally {
    await provider.stop();
  }
}

async function capture(stack: PrivateStack, provider: DevOidcProvider): Promise<void> {
  const exportId = await request(stack, {
    action: 's3.copyObject',
    params: { sourceBucket: DEMO_OBJECT.bucket, sourceKey: DEMO_OBJECT.key, destinationBucket: 'airlock-exports', destinationKey: 'partners/acme/2026-q3.csv' },
    justification: 'Acme needs the Q3 figures for the joint forecast (ticket FIN-2291)',
  });
  const roleId = await request(stack, {
    action: 'iam.putRolePolicy',
    params: {
      accountId: MOTO_ACCOUNT,
      roleName: DEMO_ROLE_NAME,
      policyName: EXECUTOR_POLICY_NAME,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::airlock-source/*', 'arn:aws:s3:::airlock-exports/*'] },
          { Effect: 'Allow', Action: ['s3:DeleteObject', 's3:ListBucket'], Resource: ['*'] },
        ],
      },
    },
    justification: 'The cleanup job must delete expired exports',
  });

  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(`${stack.apiUrl}/console`);
    await page.waitForURL((url) => url.origin === provider.issuer);
    await page.fill('input[name="login"]', 'alice');
    await page.fill('input[name="password"]', 'any password');
    await page.click('button[type="submit"]');
    await page.waitForURL(`${stack.apiUrl}/console`);
    for (const id of [exportId, roleId]) await page.locator(`a[href="/console/actions/${id}"]`).first().waitFor();
    await save(page, 'console-inbox.png', ['Inbox', 's3.copyObject', 'iam.putRolePolicy']);

    await page.goto(`${stack.apiUrl}/console/actions/${roleId}`);
    await save(page, 'console-action.png', ['iam.putRolePolicy', 'widens access', 's3:DeleteObject', 'Approve', 'Reject']);
  } finally {
    await browser.close();
  }
}

/** etl-bot's request through the API; its id, once pending review. */
async function request(stack: PrivateStack, body: object): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/v1/actions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.key('etl-bot')}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as { id?: string; status?: string; error?: { message: string } };
  if (answer.status !== 'pending_review' || !answer.id) throw new Error(`the request was not held for review: ${JSON.stringify(answer)}`);
  return answer.id;
}

/** Writes the whole page as a PNG, only if it shows every one of `shows`. */
async function save(page: Page, name: string, shows: readonly string[]): Promise<void> {
  const text = (await page.textContent('body')) ?? '';
  const missing = shows.filter((expected) => !text.includes(expected));
  if (missing.length > 0) throw new Error(`${page.url()} does not show ${missing.join(', ')}: ${name} not written`);
  const png = await page.screenshot({ fullPage: true });
  const file = join(IMAGES, name);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, png);
  console.log(`wrote ${relative(PROJECT_ROOT, file)} (${Math.round(png.length / 1024)} KiB)`);
}

void freePort().then((oidcPort) =>
  runWithPrivateStack(
    {
      policyFile: POLICY_FILE,
      env: { AIRLOCK_CONSOLE_OIDC_ISSUER: `http://127.0.0.1:${oidcPort}`, AIRLOCK_CONSOLE_OIDC_CLIENT_ID: CONSOLE_CLIENT_ID },
    },
    (stack) => main(stack, oidcPort),
    requireChromium,
  ),
);
