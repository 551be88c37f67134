import type { Page } from 'playwright-core';
import { allText } from './ui-capture';
import { squash } from './workflow-page-check';

/** What the UI's data encoder button says once the codec server has answered: failed, or decoded. */
export type CodecOutcome = 'error' | 'success';

export interface PayloadView {
  /** The Input panel: the workflow's input payload, decoded or as the UI shows ciphertext. */
  input: string;
  /** Visible text of the page and its frames, Timeline tab open. */
  text: string;
}

const TIMEOUT_MS = 30_000;

/**
 * Opens a workflow's page and waits until the UI has heard back from the codec server with
 * `outcome` (its data encoder button in the top bar turns to `data-encoder-status-<outcome>`), and
 * its Input panel shows something (containing `inputShows`, when given). Leaves the Timeline tab open.
 */
export async function readPayloadView(
  page: Page,
  options: { url: string; workflowId: string; outcome: CodecOutcome; inputShows?: string },
): Promise<PayloadView> {
  await page.goto(options.url, { waitUntil: 'load' });
  await page.getByRole('heading', { name: options.workflowId }).waitFor();
  const status = page.locator('[data-testid^="data-encoder-status"]').first();
  const expected = `data-encoder-status-${options.outcome}`;
  const input = page.getByRole('textbox', { name: 'Input' });
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const shown = (await status.getAttribute('data-testid').catch(() => null)) ?? 'none';
    const inputText = await input.innerText().catch(() => '');
    const inputReady = inputText.trim() !== '' && (options.inputShows === undefined || inputText.includes(options.inputShows));
    if (shown === expected && inputReady) return { input: inputText, text: await allText(page) };
    if (Date.now() > deadline) {
      throw new Error(
        `the UI page of ${options.workflowId} did not reach codec ${options.outcome} within ${TIMEOUT_MS / 1000} s ` +
          `(data encoder button: ${shown}; Input: ${JSON.stringify(inputText.slice(0, 120))})`,
      );
    }
    await page.waitForTimeout(250);
  }
}

/**
 * Opens the User Metadata tab and returns the visible text of the page and its frames once
 * `settled` holds for it (squashed to one line): the summary and details render in iframes after
 * the tab opens.
 */
export async function readUserMetadata(page: Page, settled: (text: string) => boolean, waitingFor: string): Promise<string> {
  await page.getByRole('tab', { name: 'User Metadata' }).click();
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const text = await allText(page);
    if (settled(squash(text))) return text;
    if (Date.now() > deadline) throw new Error(`the User Metadata tab did not show ${waitingFor} within ${TIMEOUT_MS / 1000} s:\n${squash(text)}`);
    await page.waitForTimeout(250);
  }
}
