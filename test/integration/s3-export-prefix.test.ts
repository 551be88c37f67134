import { randomUUID } from 'node:crypto';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { createExecuteActivities } from '../../activities/execute';
import { createPreviewActivities } from '../../activities/preview';
import { Catalogue } from '../../operations/catalogue';
import { s3ExportPrefix } from '../../operations/s3/export-prefix';
import type { ExecuteOperationInput, JsonObject } from '../../domain/types';
import { memoryAuditLog } from '../support/audit';
import { failureOf } from '../support/failures';
import { boundTo, directContext } from '../support/operation-context';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { putObject, readObject, requiredEnv, testAwsSettings, testS3 } from '../support/test-aws';

/** s3.exportPrefix against moto: the preview counts and binds, the export copies, a repeat copies nothing. */
describe('s3.exportPrefix on moto', () => {
  const s3 = testS3();
  afterAll(() => s3.destroy());

  const context = () => directContext(requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT'), `action-s3.exportPrefix-${randomUUID().slice(0, 8)}`);

  it('previews object count and bytes, exports every object, and a repeat copies nothing again', async () => {
    const run = randomUUID();
    const params = s3ExportPrefix.params.parse({
      sourceBucket: 'airlock-src',
      sourcePrefix: `dataset/${run}/`,
      destinationBucket: 'airlock-exports',
      destinationPrefix: `partner/${run}/`,
    });
    const bodies = ['a,1\n', 'b,22\n', 'c,333\n'];
    for (const [i, body] of bodies.entries()) await putObject(s3, 'airlock-src', `dataset/${run}/part-${i}.csv`, body);
    await putObject(s3, 'airlock-exports', `partner/${run}/part-0.csv`, 'a,1\n'); // already there, same content

    const preview = await s3ExportPrefix.preview(params, context());
    expect(preview.facts).toEqual({
      objectCount: 3,
      totalBytes: bodies.join('').length,
      countTruncated: false,
      destinationObjectCount: 1,
    });
    expect(preview.warnings.join(' ')).toContain('already under the destination prefix');
    expect(preview.preconditions).toEqual({ objectCount: 3, totalBytes: bodies.join('').length, manifestSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });

    const first = await s3ExportPrefix.execute(params, boundTo(s3ExportPrefix, context(), preview));
    expect(first.outputs).toMatchObject({ copied: 2, skipped: 1, resumed: false });
    for (const [i, body] of bodies.entries()) {
      expect(await readObject(s3, 'airlock-exports', `partner/${run}/part-${i}.csv`)).toBe(body);
    }
    const again = await s3ExportPrefix.execute(params, boundTo(s3ExportPrefix, context(), preview));
    expect(again.outputs).toMatchObject({ copied: 0, skipped: 3 });
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'airlock-exports', Prefix: `partner/${run}/` }));
    expect(listed.KeyCount).toBe(3);
  });
});

/**
 * The export through the activities, as a worker runs it (STS on moto through a recording proxy):
 * a prefix changed after the preview copies nothing, and a long export works on a new credential
 * per batch, each one recorded in the audit trail by key id.
 */
describe('s3.exportPrefix through the activities', () => {
  const s3 = testS3();
  const audit = memoryAuditLog();
  let proxy: RecordingProxy;
  let counter = 0;

  beforeAll(async () => {
    proxy = await startRecordingProxy(requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT'));
  });
  afterAll(async () => {
    s3.destroy();
    await proxy?.stop();
  });

  /** Activities over a catalogue holding `operation` (the real export, or one declaring another running time). */
  function activitiesFor(operation: typeof s3ExportPrefix) {
    const deps = { catalogue: new Catalogue([operation]), aws: testAwsSettings(proxy.endpoint), audit };
    return { ...createExecuteActivities(deps), ...createPreviewActivities(deps) };
  }

  async function dataset(count: number): Promise<{ run: string; params: JsonObject }> {
    const run = randomUUID();
    for (let i = 0; i < count; i++) await putObject(s3, 'airlock-src', `swap/${run}/part-${i}.csv`, `row,${i}\n`);
    return {
      run,
      params: { sourceBucket: 'airlock-src', sourcePrefix: `swap/${run}/`, destinationBucket: 'airlock-exports', destinationPrefix: `swap/${run}/` },
    };
  }

  function request(params: JsonObject): Omit<ExecuteOperationInput, 'preconditions'> {
    counter += 1;
    return {
      actionId: `action-s3.exportPrefix-swaptest${String(counter).padStart(6, '0')}`,
      action: 's3.exportPrefix',
      params,
      requester: { id: 'etl-bot', source: 'api' },
      approvers: ['alice'],
    };
  }

  async function exported(run: string): Promise<string[]> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'airlock-exports', Prefix: `swap/${run}/` }));
    return (listed.Contents ?? []).map((object) => object.Key ?? '');
  }

  test.each([
    ['an object replaced', async (run: string) => putObject(s3, 'airlock-src', `swap/${run}/part-1.csv`, 'hr,salaries\n')],
    ['an object added', async (run: string) => putObject(s3, 'airlock-src', `swap/${run}/part-1b.csv`, 'hr,salaries\n')],
    [
      'an object deleted',
      async (run: string) => {
        await s3.send(new DeleteObjectCommand({ Bucket: 'airlock-src', Key: `swap/${run}/part-2.csv` }));
      },
    ],
  ])('%s after the preview: precondition_failed, and nothing is copied', async (_name, change) => {
    const activities = activitiesFor(s3ExportPrefix);
    const { run, params } = await dataset(3);
    const asked = request(params);
    const preview = await activities.previewOperation(asked);
    await change(run);
    const failure = await failureOf(activities.executeOperation({ ...asked, ...(preview.preconditions ? { preconditions: preview.preconditions } : {}) }));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain(`the objects under s3://airlock-src/swap/${run}/ changed after the preview: the preview listed 3 object(s)`);
    expect(failure.message).toMatch(/; nothing was copied \(precondition_failed\)$/);
    expect(await exported(run)).toEqual([]);
  });

  test('a long export renews its credentials batch by batch; every credential is recorded by key id', async () => {
    // Declares 1 s per batch: every step finds its credential nearly spent, so each runs on a new one.
    const activities = activitiesFor({ ...s3ExportPrefix, runningTimeSeconds: 1 });
    const { run, params } = await dataset(3);
    const asked = request(params);
    const preview = await activities.previewOperation(asked);
    const issuedBefore = proxy.issuedAccessKeyIds().length;
    const result = await activities.executeOperation({ ...asked, ...(preview.preconditions ? { preconditions: preview.preconditions } : {}) });
    expect(result.outputs).toMatchObject({ copied: 3 });
    expect(await exported(run)).toHaveLength(3);

    const issued = proxy.issuedAccessKeyIds().slice(issuedBefore);
    // The first credential, then one per step: the listing page, then each of three objects.
    expect(issued).toHaveLength(5);
    const recorded = (await audit.lineage(asked.actionId)).filter((event) => event.kind === 'credential.issued' && event.data.purpose === 'execute');
    expect(recorded.map((event) => event.data.accessKeyId)).toEqual(issued);
    // Every AssumeRole of this export carried the same session policy, bounded 1 s + the skew margin after its issue.
    const policies = proxy
      .exchanges()
      .map((exchange) => new URLSearchParams(exchange.requestBody))
      .filter((form) => form.get('Action') === 'AssumeRole' && form.get('RoleSessionName') === asked.actionId)
      .map((form) => JSON.parse(form.get('Policy') ?? '{}'));
    expect(policies).toHaveLength(5);
    for (const policy of policies) {
      expect(policy.Statement).toHaveLength(4);
      for (const statement of policy.Statement) expect(statement.Condition.DateLessThan['aws:CurrentTime']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });
});
