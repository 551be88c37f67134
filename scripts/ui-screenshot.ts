import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { runPartnerExport } from './lib/demo-action';
import type { PrivateStack } from './lib/private-stack';
import { runWithPrivateStack } from './lib/stack-script';
import { PROJECT_ROOT } from './lib/tools';
import { captureWorkflowPage, requireChromium, withBrowserPage } from './lib/ui-capture';
import { readWorkflowExpectation } from './lib/workflow-expectation';
import { renderedLines, whatPageLacks } from './lib/workflow-page-check';

/**
 * `npm run screenshot`: docs/images/temporal-ui-workflow.png, the Temporal UI page of a real
 * Airlock workflow. Starts a stack of its own (dev server with the UI, moto, worker, API), has
 * etl-bot ask for a partner export through the API and alice approve it, waits until it has
 * run, then opens the workflow's page in headless Chromium. It writes the picture only if the page
 * shows the workflow id, the summary, the details and every Airlock search attribute with the
 * value Temporal holds; otherwise it fails, naming what is missing.
 */
const OUTPUT = join(PROJECT_ROOT, 'docs', 'images', 'temporal-ui-workflow.png');

async function main(stack: PrivateStack): Promise<void> {
  console.log(`Temporal UI at ${stack.uiUrl}; etl-bot asks, alice approves...`);
  const action = await runPartnerExport({ apiUrl: stack.apiUrl, key: stack.key });
  const url = action.links.temporalUi;
  if (!url) throw new Error(`the API gave no Temporal UI link for ${action.id}`);

  const expected = await readWorkflowExpectation(stack, action.id);
  console.log(`${action.id} succeeded; opening ${url}`);
  // The first summary line and the last details line: once both show, both iframes have rendered.
  const renderedTexts = [...renderedLines(expected.summary).slice(0, 1), ...renderedLines(expected.details).slice(-1)];
  const shot = await withBrowserPage((page) => captureWorkflowPage(page, { url, workflowId: action.id, renderedTexts }));
  const lacks = whatPageLacks(shot.rendered, expected);
  if (lacks.length > 0) throw new Error(`the UI page of ${action.id} does not show:\n  ${lacks.join('\n  ')}\nno screenshot written`);

  mkdirSync(dirname(OUTPUT), { recursive: true });
  writeFileSync(OUTPUT, shot.png);
  const shown = expected.attributes.map((attribute) => attribute.name).join(', ');
  console.log(`wrote ${relative(PROJECT_ROOT, OUTPUT)} (${Math.round(shot.png.length / 1024)} KiB), showing ${shown}`);
}

runWithPrivateStack({}, main, requireChromium);
