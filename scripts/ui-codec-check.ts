import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Page } from 'playwright-core';
import { signInToCodec, useBrowserCodecSettings, watchCodecCalls, type CodecCall } from './lib/codec-browser';
import { PARTNER_EXPORT, runPartnerExport } from './lib/demo-action';
import { paramsMissingFromInput, plaintextMarkers, plaintextShown } from './lib/encoded-page-check';
import { readPayloadView, readUserMetadata } from './lib/payload-view';
import type { PrivateStack } from './lib/private-stack';
import { runWithPrivateStack } from './lib/stack-script';
import { PROJECT_ROOT } from './lib/tools';
import { capturePageTop, captureWorkflowPage, requireChromium, withBrowserPage } from './lib/ui-capture';
import { readWorkflowExpectation } from './lib/workflow-expectation';
import { renderedLines, whatPageLacks, type WorkflowPageExpectation } from './lib/workflow-page-check';

/**
 * `npm run ui:codec-check`: proves in a real browser that with payload encryption on, the Temporal
 * UI shows an operator plaintext only once they have signed in to the API's codec server. Starts an
 * encrypted private stack (the UI's codec endpoint is the API's /codec, the UI's origin allowed),
 * runs the partner export (submit, approve, succeeded), then in headless Chromium:
 *   1. not signed in: the workflow's page shows the codec error and no summary, details or param;
 *   2. signs in as `ops` at <api>/codec/login: still encoded, as the UI sends no cookie yet;
 *   3. turns on "Include cross-origin credentials" in the UI's Codec Server dialog;
 *   4. the page decodes: the Input panel holds every param, and the summary, the details and the
 *      search attributes show as `npm run screenshot` checks them.
 * Fails, naming what it saw, if any step does not hold. Writes docs/images/temporal-ui-decoded.png
 * (the decoded page) only when all hold.
 */
const OUTPUT = join(PROJECT_ROOT, 'docs', 'images', 'temporal-ui-decoded.png');
const MAX_PNG_BYTES = 400 * 1024;
const PARAMS = PARTNER_EXPORT.body.params;
/** What the UI's User Metadata tab says when it could not decode the summary and details. */
const EMPTY_METADATA = ['No summary available', 'No details available'];

async function main(stack: PrivateStack): Promise<void> {
  const endpoint = stack.codecEndpoint;
  if (!endpoint) throw new Error('the private stack started without a codec endpoint');
  console.log(`Temporal UI at ${stack.uiUrl}, its codec at ${endpoint}; etl-bot asks, alice approves...`);
  const action = await runPartnerExport({ apiUrl: stack.apiUrl, key: stack.key });
  const url = action.links.temporalUi;
  if (!url) throw new Error(`the API gave no Temporal UI link for ${action.id}`);
  const expected = await readWorkflowExpectation(stack, action.id);
  const markers = plaintextMarkers(expected, PARAMS);
  const page = { url, workflowId: action.id };
  console.log(`${action.id} succeeded; opening ${url}`);

  const png = await withBrowserPage(async (browser) => {
    const calls = watchCodecCalls(browser, endpoint);
    const encoded = async (step: string): Promise<void> => {
      const view = await readPayloadView(browser, { ...page, outcome: 'error' });
      // Settled once both placeholders show, or as soon as any plaintext does (then we fail below).
      const settled = (text: string): boolean => EMPTY_METADATA.every((line) => text.includes(line)) || plaintextShown(text, markers).length > 0;
      const metadata = await readUserMetadata(browser, settled, EMPTY_METADATA.join(' and '));
      const shown = plaintextShown(`${view.text}\n${view.input}\n${metadata}`, markers);
      if (shown.length > 0) throw new Error(`${step}: the UI shows plaintext:\n  ${shown.join('\n  ')}`);
      console.log(`${step}: codec error, Input ${JSON.stringify(view.input.slice(0, 24))}…, ${EMPTY_METADATA.join(', ')}: ${describeCalls(calls.splice(0))}`);
    };

    await encoded('not signed in');
    const signIn = await signInToCodec(browser, stack.apiUrl, stack.key('ops'));
    if (!signIn.text.includes('Signed in as ops')) throw new Error(`the codec sign-in page says "${signIn.text}", not "Signed in as ops"`);
    console.log(`signed in: "${signIn.text.slice(0, 60)}…", cookie ${JSON.stringify(signIn.cookie)}`);
    await encoded('signed in, credentials not yet included');

    const stored = await useBrowserCodecSettings(browser, endpoint);
    console.log(`Codec Server dialog applied; the UI stored ${JSON.stringify(stored)}`);
    return decoded(browser, page, expected, calls);
  });

  if (png.length > MAX_PNG_BYTES)
    throw new Error(`the decoded page's picture is ${Math.round(png.length / 1024)} KiB, over ${MAX_PNG_BYTES / 1024}; not written`);
  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, png);
  console.log(`all checks hold; wrote ${relative(PROJECT_ROOT, OUTPUT)} (${Math.round(png.length / 1024)} KiB)`);
}

/** Step 4: the page decodes. Returns the picture of its top down to the Input and Result panels. */
async function decoded(browser: Page, page: { url: string; workflowId: string }, expected: WorkflowPageExpectation, calls: CodecCall[]): Promise<Buffer> {
  const view = await readPayloadView(browser, { ...page, outcome: 'success', inputShows: PARAMS.destinationKey });
  const lacks = paramsMissingFromInput(view.input, PARAMS);
  // The Input panel's editor box: the textbox inside it is as tall as all its lines, scrolled.
  const png = await capturePageTop(browser, browser.locator('.cm-editor', { has: browser.getByRole('textbox', { name: 'Input' }) }));
  // The first summary line and the last details line: once both show, both iframes have rendered.
  const renderedTexts = [...renderedLines(expected.summary).slice(0, 1), ...renderedLines(expected.details).slice(-1)];
  const shot = await captureWorkflowPage(browser, { ...page, renderedTexts });
  lacks.push(...whatPageLacks(shot.rendered, expected));
  if (lacks.length > 0) throw new Error(`signed in with credentials on, the UI page of ${page.workflowId} does not show:\n  ${lacks.join('\n  ')}`);
  console.log(`decoded: Input holds every param; summary, details and search attributes shown: ${describeCalls(calls.splice(0))}`);
  return png;
}

/** The codec calls of one step, e.g. `4 × POST /codec/decode → 401 [content-type, origin, …]`. */
function describeCalls(calls: CodecCall[]): string {
  const groups = new Map<string, number>();
  for (const call of calls) {
    const key = `${call.method} ${call.path} → ${call.status} [${call.headers.filter((name) => !name.startsWith('sec-') && name !== 'user-agent').join(', ')}]`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  return groups.size === 0 ? 'no codec calls' : [...groups].map(([key, count]) => `${count} × ${key}`).join('; ');
}

runWithPrivateStack({ encrypted: true }, main, requireChromium);
