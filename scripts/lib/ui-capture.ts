import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { squash, type RenderedWorkflowPage } from './workflow-page-check';

/** Debian's chromium (scripts/install-chromium.sh): Playwright's own browser downloads are not used. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Throws, saying how to install it, when Debian's chromium is not there. */
export function requireChromium(): void {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run bash scripts/install-chromium.sh`);
}

/**
 * Without the background-networking, component-update and sync switches Chromium calls home at
 * start, and a closed network refuses it; QUIC off keeps it on plain TCP to the loopback UI.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** 1440 CSS px at scale 1: the whole workflow page is legible and the PNG stays small. */
const VIEWPORT = { width: 1440, height: 1000 };
const TIMEOUT_MS = 30_000;

/** Runs `use` with a page in a headless Chromium on a fresh profile, then closes it and deletes the profile. */
export async function withBrowserPage<T>(use: (page: Page) => Promise<T>): Promise<T> {
  const profile = mkdtempSync(join(tmpdir(), 'airlock-chromium-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: VIEWPORT,
      deviceScaleFactor: 1,
      locale: 'en-US',
      timezoneId: 'UTC',
    });
    const page = context.pages()[0] ?? (await context.newPage());
    page.setDefaultTimeout(TIMEOUT_MS);
    return await use(page);
  } finally {
    await context?.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

export interface WorkflowPageShot {
  rendered: RenderedWorkflowPage;
  /** The User Metadata tab (id, status, summary, details) above the Search Attributes tab. */
  png: Buffer;
}

/**
 * Opens the UI page of one workflow and captures what an operator reads there. The UI shows the
 * summary and details on its User Metadata tab and the search attributes on another tab, so the
 * picture is two captures of the same page stacked: the page down to the details, then the tab bar
 * and the Search Attributes panel. `renderedTexts` (such as the summary and the last line of the
 * details) are awaited before anything is captured: the UI is a single-page app that fills in after load.
 */
export async function captureWorkflowPage(page: Page, options: { url: string; workflowId: string; renderedTexts: string[] }): Promise<WorkflowPageShot> {
  await page.goto(options.url, { waitUntil: 'load' });
  await page.getByRole('heading', { name: options.workflowId }).waitFor();

  await page.getByRole('tab', { name: 'User Metadata' }).click();
  await waitForFrameTexts(page, options.renderedTexts);
  const metadataText = await allText(page);
  const metadataBottom = await bottomOf(page.locator('iframe'));
  const top = await page.screenshot({ clip: { x: 0, y: 0, width: VIEWPORT.width, height: Math.min(metadataBottom + 24, VIEWPORT.height) } });

  await page.getByRole('tab', { name: 'Search Attributes' }).click();
  const json = page.getByRole('textbox', { name: 'Search Attributes' });
  await json.waitFor();
  const searchAttributes = parseJsonObject(await json.innerText());
  const attributesText = await allText(page);
  const tabs = await box(page.getByRole('tablist', { name: 'workflow detail' }));
  const left = Math.max(0, tabs.x - 16);
  const y = Math.max(0, tabs.y - 12);
  const bottom = Math.min((await bottomOf(json)) + 24, VIEWPORT.height);
  const below = await page.screenshot({ clip: { x: left, y, width: VIEWPORT.width - left, height: bottom - y } });

  // A string, not a function: this project compiles without the DOM's types.
  const background = String(await page.evaluate('getComputedStyle(document.body).backgroundColor'));
  return {
    rendered: { text: `${metadataText}\n${attributesText}`, searchAttributes },
    png: await stack(page, top, below, left, background),
  };
}

/** The summary and details are markdown rendered in iframes, which fill in after the tab opens. */
async function waitForFrameTexts(page: Page, texts: string[]): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const shown = squash(await allText(page));
    const missing = texts.filter((text) => !shown.includes(squash(text)));
    if (missing.length === 0) return;
    if (Date.now() > deadline) throw new Error(`the UI did not render ${JSON.stringify(missing)} within ${TIMEOUT_MS / 1000} s:\n${shown}`);
    await page.waitForTimeout(250);
  }
}

/** The page as it stands, from the top down to just below the lowest element `below` matches. */
export async function capturePageTop(page: Page, below: Locator): Promise<Buffer> {
  const bottom = Math.min((await bottomOf(below)) + 24, VIEWPORT.height);
  return page.screenshot({ clip: { x: 0, y: 0, width: VIEWPORT.width, height: bottom } });
}

/** Visible text of the page and every frame in it. */
export async function allText(page: Page): Promise<string> {
  const texts = await Promise.all(
    page.frames().map((frame) =>
      frame
        .locator('body')
        .innerText()
        .catch(() => ''),
    ),
  );
  return texts.join('\n');
}

async function box(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const found = await locator.boundingBox();
  if (!found) throw new Error(`${locator.toString()} is not visible`);
  return found;
}

/** The lowest bottom edge among the visible elements `locator` matches. */
async function bottomOf(locator: Locator): Promise<number> {
  const boxes = await Promise.all((await locator.all()).map((one) => one.boundingBox()));
  const bottoms = boxes.flatMap((found) => (found && found.height > 0 ? [found.y + found.height] : []));
  if (bottoms.length === 0) throw new Error(`${locator.toString()} is not visible`);
  return Math.max(...bottoms);
}

/** Both captures one above the other, the lower one at its place on the page, on the page's own background. */
async function stack(page: Page, top: Buffer, below: Buffer, belowX: number, background: string): Promise<Buffer> {
  const image = (png: Buffer, style: string): string => `<img style="display:block;${style}" src="data:image/png;base64,${png.toString('base64')}">`;
  // setContent waits for the load event, so both images are decoded before the screenshot.
  await page.setContent(`<html><body style="margin:0;background:${background}">${image(top, '')}${image(below, `margin-left:${belowX}px`)}</body></html>`);
  return page.screenshot({ fullPage: true });
}

function parseJsonObject(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`the Search Attributes tab shows no JSON object: ${text}`);
  }
  return parsed as Record<string, unknown>;
}
