import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ManagedProcess } from '../../scripts/lib/managed-process';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { bundleWorkflows, startStack, TEST_POLICY_FILE, type Stack } from '../support/stack';
import { putObject, requiredEnv, testS3, TEST_REGION } from '../support/test-aws';
import { TEST_IDENTITY_ENTRIES } from '../support/identity-keys';

const WORKER_ENTRY = join(PROJECT_ROOT, 'dist', 'workers', 'main.js');
const OBJECTS = 30;

/**
 * A real worker process is SIGKILLed in the middle of `s3.exportPrefix`. Temporal notices the
 * missed heartbeat and retries on a new worker process, which resumes after the last recorded key
 * and skips what is already there: every object is copied exactly once (PUTs counted at the proxy).
 */
describe('worker killed during s3.exportPrefix', () => {
  let stack: Stack;
  const s3 = testS3();
  const workers: ManagedProcess[] = [];

  beforeAll(async () => {
    if (!existsSync(WORKER_ENTRY)) throw new Error(`${WORKER_ENTRY} is missing: npm test builds it (npm run build)`);
    stack = await startStack(await bundleWorkflows(), { worker: false });
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await stack?.stop();
    s3.destroy();
  });

  function startWorkerProcess(): ManagedProcess {
    const worker = ManagedProcess.start('worker', process.execPath, [WORKER_ENTRY], {
      env: {
        ...process.env,
        AIRLOCK_TEMPORAL_ADDRESS: requiredEnv('AIRLOCK_TEST_TEMPORAL_ADDRESS'),
        AIRLOCK_TASK_QUEUE: stack.taskQueue,
        AIRLOCK_POLICY_FILE: TEST_POLICY_FILE,
        AIRLOCK_AWS_REGION: TEST_REGION,
        AIRLOCK_AWS_ENDPOINT: stack.proxy.endpoint,
        AIRLOCK_EXECUTOR_ROLE_ARN: requiredEnv('AIRLOCK_TEST_ROLE_ARN'),
        AWS_ACCESS_KEY_ID: MOTO_BASE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: MOTO_BASE_CREDENTIALS.secretAccessKey,
        AIRLOCK_IDENTITY_VERIFY_KEYS: TEST_IDENTITY_ENTRIES.verify,
        // The stack's own trail: the default (.airlock/audit.db in the project) is the developer's.
        AIRLOCK_AUDIT_URL: stack.auditUrl,
        AIRLOCK_WORKER_METRICS_PORT: '0',
      },
    });
    workers.push(worker);
    return worker;
  }

  /** CopyObject requests the proxy forwarded for this export, by destination path. */
  function copies(destinationPrefix: string): Map<string, number> {
    const counts = new Map<string, number>();
    for (const exchange of stack.proxy.exchanges()) {
      if (exchange.method !== 'PUT' || !exchange.url.includes('x-id=CopyObject') || !exchange.url.includes(destinationPrefix)) continue;
      const path = exchange.url.split('?')[0] ?? '';
      counts.set(path, (counts.get(path) ?? 0) + 1);
    }
    return counts;
  }

  async function until<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('finishes after a restart, copying every object exactly once, and shows progress while it runs', async () => {
    const run = randomUUID();
    const sourcePrefix = `crash/${run}/`;
    const destinationPrefix = `exports/${run}/`;
    for (let i = 0; i < OBJECTS; i++) await putObject(s3, 'airlock-src', `${sourcePrefix}part-${String(i).padStart(3, '0')}.csv`, `row,${i}\n`);
    // A slow destination: each copy takes a moment, so the kill lands mid-export.
    stack.proxy.delay((method, url) => method === 'PUT' && url.includes('x-id=CopyObject') && url.includes(run), 150);

    const first = startWorkerProcess();
    const created = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.exportPrefix',
      params: { sourceBucket: 'airlock-src', sourcePrefix, destinationBucket: 'airlock-scratch', destinationPrefix },
      justification: 'Nightly export of the partner dataset',
    });
    expect(created.statusCode).toBe(202);
    const id: string = created.json().id;

    await until(() => (copies(destinationPrefix).size >= 8 ? true : undefined), 'the export to be under way');
    const during = (await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json();
    expect(during.status).toBe('executing');
    const progress = await until(async () => {
      const view = (await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json();
      return view.progress?.copied > 0 ? view.progress : undefined;
    }, 'progress in status');
    expect(progress.startAfter).toContain(sourcePrefix);

    await first.kill(); // SIGKILL: no chance to finish the current copy or report it
    const copiedBeforeKill = copies(destinationPrefix).size;
    expect(copiedBeforeKill).toBeLessThan(OBJECTS);

    startWorkerProcess();
    const final = await stack.client.workflow.getHandle(id).result();
    expect(final.status).toBe('succeeded');
    expect(final.result?.outputs).toMatchObject({ resumed: true });
    // Counts resume from the last recorded progress; objects copied after it are skipped, not copied again.
    expect(Number(final.result?.outputs.copied) + Number(final.result?.outputs.skipped)).toBe(OBJECTS);

    const perObject = copies(destinationPrefix);
    expect(perObject.size).toBe(OBJECTS);
    expect([...perObject.values()].every((count) => count === 1)).toBe(true);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'airlock-scratch', Prefix: destinationPrefix }));
    expect(listed.KeyCount).toBe(OBJECTS);
  });
});
