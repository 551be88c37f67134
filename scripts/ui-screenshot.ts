import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { runPartnerExport } from './lib/demo-action';
import { startPrivateStack, type PrivateStack } from './lib/private-stack';
import { PROJECT_ROOT } from './lib/tools';
import { captureWorkflowPage, CHROMIUM_PATH, withBrowserPage } from './lib/ui-capture';
import { renderedLines, whatPageLacks, type WorkflowPageExpectation } from './lib/workflow-page-check';

/**
 * `npm run screenshot`: docs/images/temporal-ui-workflow.png, the Temporal UI page of a real
 * Airlock workflow. Starts a stack of its own (dev server with the UI, moto, worker, API), has
 * etl-bot ask for a partner export through the API and alice approve it, waits until it has
 * run, then opens the workflow's page in headless Chromium. It writes the picture only if the page
 * shows the workflow id, the summary, the details and every Airlock search attribute with the
 * value Temporal holds; otherwise it fails, naming what is missing.
 */
const OUTPUT = join(PROJECT_ROOT, 'docs', 'images', 'temporal-ui-workflow.png');

let stack: PrivateStack | undefined;

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`${CHROMIUM_PATH} is missing: run bash scripts/install-chromium.sh`);
  console.log('starting Temporal (with its UI), moto, the worker and the API on free ports...');
  stack = await startPrivateStack();
  console.log(`Temporal UI at ${stack.uiUrl}; etl-bot asks, alice approves...`);
  const action = await runPartnerExport({ apiUrl: stack.apiUrl, key: stack.key });
  const url = action.links.temporalUi;
  if (!url) throw new Error(`the API gave no Temporal UI link for ${action.id}`);

  const expected = await readExpectation(stack, action.id);
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

/** What the page must show, from Temporal itself, once the workflow has closed (so the page says Completed). */
async function readExpectation(running: PrivateStack, workflowId: string): Promise<WorkflowPageExpectation> {
  const connection = await Connection.connect({ address: running.temporalAddress });
  try {
    const handle = new Client({ connection, namespace: running.namespace }).workflow.getHandle(workflowId);
    await handle.result();
    const description = await handle.describe();
    const values = new Map(description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]));
    return {
      workflowId,
      summary: (await description.staticSummary()) ?? '',
      details: (await description.staticDetails()) ?? '',
      attributes: SEARCH_ATTRIBUTES.map(({ name }) => ({ name, value: values.get(name) })),
    };
  } finally {
    await connection.close();
  }
}

// The stack's children share our terminal: Ctrl-C reaches them too, and on any exit we stop or kill them.
process.on('SIGINT', () => void finish(130));
process.on('SIGTERM', () => void finish(143));
process.on('exit', () => stack?.processes().forEach((child) => child.running && child.child.kill('SIGKILL')));

let finishing = false;
async function finish(code: number): Promise<void> {
  if (finishing) return;
  finishing = true;
  await stack?.stop();
  process.exit(code);
}

main().then(
  () => finish(0),
  async (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    await finish(1);
  },
);
