import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { WorkflowBundle } from '@temporalio/worker';
import type { Activities } from '../../../activities';
import { temporalTestServerPath } from '../../../scripts/lib/tools';
import { createAirlockWorker } from '../../../workers/create-worker';
import { bundleAirlockWorkflows } from '../../../workers/workflow-bundle';
import { SEARCH_ATTRIBUTES } from '../../../workflows/search-attributes';
import { TEST_TRUSTED_KEYS } from '../../support/identity-keys';
import { quietTestServerRuntime } from './quiet-runtime';

/** What one workflow test file runs on: its own time-skipping server, and one workflow bundle. */
export interface WorkflowTestBed {
  env: TestWorkflowEnvironment;
  /** The environment's client: awaiting a workflow's `result()` lets the server skip time. */
  client: Client;
  /**
   * Runs `body` while a worker with these activities polls a task queue of its own, then stops
   * the worker: each test brings its own canned activities and sees no other test's tasks.
   */
  withWorker<T>(activities: Activities, body: (taskQueue: string) => Promise<T>): Promise<T>;
  /** Server time: workflow code reads this clock, so proofs must be issued by it too. */
  now(): Promise<Date>;
  teardown(): Promise<void>;
}

/**
 * Starts sdk-java's time-skipping test server from the binary scripts/install-tools.sh installed
 * (never the SDK's download: there is no internet here) and bundles the workflows once, with the
 * test identity keys written in as the worker's would be. Call once per file, in `beforeAll`.
 */
export async function startWorkflowTestBed(): Promise<WorkflowTestBed> {
  quietTestServerRuntime();
  const [started, bundled] = await Promise.allSettled([
    TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: temporalTestServerPath() } } }),
    bundleWorkflows(),
  ]);
  if (started.status === 'rejected') throw started.reason;
  const env = started.value;
  try {
    if (bundled.status === 'rejected') throw bundled.reason;
    await registerSearchAttributes(env);
  } catch (err) {
    await env.teardown(); // afterAll cannot stop a server whose bed it never received
    throw err;
  }
  const bundle = bundled.value;
  return {
    env,
    client: env.client,
    async withWorker(activities, body) {
      const taskQueue = `workflow-test-${randomUUID()}`;
      const worker = await createAirlockWorker({
        connection: env.nativeConnection,
        namespace: 'default',
        taskQueue,
        activities,
        workflowBundle: bundle,
      });
      return worker.runUntil(body(taskQueue));
    },
    now: async () => new Date(await env.currentTimeMs()),
    teardown: () => env.teardown(),
  };
}

function bundleWorkflows(): Promise<WorkflowBundle> {
  return bundleAirlockWorkflows(TEST_TRUSTED_KEYS);
}

const INDEXED_VALUE_TYPES = {
  Keyword: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  KeywordList: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
  Datetime: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
} as const;

/** The workflow upserts Airlock's search attributes; the server must know them, as a real one is told at setup. */
async function registerSearchAttributes(env: TestWorkflowEnvironment): Promise<void> {
  await env.connection.operatorService.addSearchAttributes({
    namespace: 'default',
    searchAttributes: Object.fromEntries(SEARCH_ATTRIBUTES.map(({ name, type }) => [name, INDEXED_VALUE_TYPES[type]])),
  });
}
