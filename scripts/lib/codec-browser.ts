import type { Page } from 'playwright-core';
import { SESSION_COOKIE } from '../../api/codec/session';
import { squash } from './workflow-page-check';

/**
 * An operator's browser steps for reading decrypted payloads in the Temporal UI (docs/operators.md,
 * "Reading plaintext: the codec server"), done the way a person does them: through the API's
 * sign-in form and the UI's own Codec Server settings dialog.
 */

export interface CodecSignIn {
  /** The signed-in page's text, e.g. "Signed in as ops until …". */
  text: string;
  /** The session cookie's attributes as the browser keeps them (never its value). */
  cookie: { path: string; httpOnly: boolean; sameSite: string };
}

/** Signs in at `<apiUrl>/codec/login` with an operator's API key; throws with the page's answer if refused. */
export async function signInToCodec(page: Page, apiUrl: string, key: string): Promise<CodecSignIn> {
  await page.goto(`${apiUrl}/codec/login`, { waitUntil: 'load' });
  await page.getByLabel('Operator API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForLoadState('load');
  const text = squash(await page.locator('body').innerText());
  if ((await page.getByRole('heading', { name: 'Signed in' }).count()) === 0) throw new Error(`signing in at ${apiUrl}/codec/login failed: ${text}`);
  const cookie = (await page.context().cookies(`${apiUrl}/codec/decode`)).find((candidate) => candidate.name === SESSION_COOKIE);
  if (!cookie) throw new Error(`${apiUrl}/codec/login said "${text}" but the browser holds no ${SESSION_COOKIE} cookie`);
  return { text, cookie: { path: cookie.path, httpOnly: cookie.httpOnly, sameSite: cookie.sameSite } };
}

/** The UI's browser-side codec settings (localStorage keys of Temporal UI 2.54). */
const SETTING_KEYS = ['overrideRemoteCodecConfiguration', 'endpoint', 'includeCredentials', 'passAccessToken'] as const;
export type StoredCodecSettings = Record<(typeof SETTING_KEYS)[number], string | null>;

/**
 * On an open UI page: the data encoder button in the top bar, then in the Codec Server dialog "Use
 * my browser setting", the endpoint, "Include cross-origin credentials" on, Apply. The dev server
 * can set the endpoint but not credentials, and the UI only sends cookies with credentials on.
 * Returns what the UI stored, after checking it is what was chosen.
 */
export async function useBrowserCodecSettings(page: Page, endpoint: string): Promise<StoredCodecSettings> {
  await page.locator('[data-testid^="data-encoder-status"]').first().click();
  const dialog = page.getByRole('dialog', { name: 'Codec Server' });
  await dialog.getByRole('radio', { name: 'Use my browser setting and ignore Cluster-level setting.' }).check();
  await dialog.getByRole('textbox', { name: 'Codec Server browser endpoint' }).fill(endpoint);
  const credentials = dialog.getByRole('switch', { name: 'Include cross-origin credentials' });
  // The switch is a visually hidden checkbox: a person clicks its label.
  if (!(await credentials.isChecked())) await dialog.getByText('Include cross-origin credentials', { exact: true }).click();
  if (!(await credentials.isChecked())) throw new Error('the Codec Server dialog did not turn "Include cross-origin credentials" on');
  await dialog.getByRole('button', { name: 'Apply' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // A string, not a function: this project compiles without the DOM's types.
  const read = `JSON.stringify(Object.fromEntries(${JSON.stringify(SETTING_KEYS)}.map((key) => [key, localStorage.getItem(key)])))`;
  const stored = JSON.parse(String(await page.evaluate(read))) as StoredCodecSettings;
  const wanted: Partial<StoredCodecSettings> = { overrideRemoteCodecConfiguration: 'true', endpoint: JSON.stringify(endpoint), includeCredentials: 'true' };
  const wrong = Object.entries(wanted).filter(([key, value]) => stored[key as keyof StoredCodecSettings] !== value);
  if (wrong.length > 0) throw new Error(`after Apply the UI stored ${JSON.stringify(stored)}, not ${JSON.stringify(wanted)}`);
  return stored;
}

/** One call the UI made to the codec server, as the browser sent it. */
export interface CodecCall {
  method: string;
  path: string;
  status: number;
  /** Names of the request headers, sorted (cookie among them when the browser sent the session). */
  headers: string[];
}

/** Records every encode and decode call `page` makes from now on (not their CORS preflights, which Playwright does not show). */
export function watchCodecCalls(page: Page, endpoint: string): CodecCall[] {
  const calls: CodecCall[] = [];
  page.on('response', async (response) => {
    const request = response.request();
    const path = new URL(request.url()).pathname;
    if (!request.url().startsWith(endpoint) || !/\/(encode|decode)$/.test(path)) return;
    const headers = Object.keys(await request.allHeaders().catch(() => request.headers())).sort();
    calls.push({ method: request.method(), path, status: response.status(), headers });
  });
  return calls;
}
