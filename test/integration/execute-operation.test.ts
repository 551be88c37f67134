import { CopyObjectCommand, DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger, type LogEntry } from '@temporalio/worker';
import { createExecuteActivities } from '../../activities/execute';
import { createPreviewActivities } from '../../activities/preview';
import { defaultCatalogue } from '../../operations/catalogue';
import { s3CopyObject } from '../../operations/s3/copy-object';
import { timeBoundPolicy } from '../../operations/session-time';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import type { ExecuteOperationInput, ExecutionResult, JsonObject } from '../../domain/types';
import { memoryAuditLog } from '../support/audit';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { failureOf } from '../support/failures';
import { seedAws } from '../support/seed-aws';
import { objectExists, readObject, requiredEnv } from '../support/test-aws';

// The execute activity against the shared moto server (own role and buckets), through a recording proxy that
// shows what STS was asked and which credentials moto issued.

const REGION = 'us-east-1';
const ROLE_NAME = 'airlock-exec-it';
const SOURCE_BUCKET = 'exec-it-source';
const DESTINATION_BUCKET = 'exec-it-exports';
// Spaces, parentheses, `+`, `%`, `&` and non-ASCII: the CopySource must be URL-encoded correctly.
const SOURCE_KEY = 'reports/2026 q3 (final)+100%&ü.csv';
const BODY = 'region,revenue\neu-west,1204500\nus-east,2311900\n';

let proxy: RecordingProxy;
let roleArn: string;
let s3: S3Client;
let activities: ReturnType<typeof createExecuteActivities> & ReturnType<typeof createPreviewActivities>;
const logLines: string[] = [];
let counter = 0;
const audit = memoryAuditLog();

beforeAll(async () => {
  const motoEndpoint = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  proxy = await startRecordingProxy(motoEndpoint);
  ({ roleArn } = await seedAws(motoEndpoint, {
    roleName: ROLE_NAME,
    buckets: [SOURCE_BUCKET, DESTINATION_BUCKET],
    objects: [{ bucket: SOURCE_BUCKET, key: SOURCE_KEY, body: BODY }],
  }));
  s3 = new S3Client({ region: REGION, endpoint: motoEndpoint, forcePathStyle: true, credentials: MOTO_BASE_CREDENTIALS });
  // The worker's AWS traffic (STS and S3) goes through the proxy; test checks read moto directly.
  const deps = {
    catalogue: defaultCatalogue(),
    aws: { region: REGION, partition: 'aws', endpoint: proxy.endpoint, executorRoleArn: roleArn, baseCredentials: MOTO_BASE_CREDENTIALS },
    audit,
  };
  activities = { ...createExecuteActivities(deps), ...createPreviewActivities(deps) };
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await proxy?.stop();
});

/** Runs the activity (as attempt `attempt`) in a mock activity context whose log lines are kept for the leak check. */
function runExecute(input: ExecuteOperationInput, attempt = 1): Promise<ExecutionResult> {
  const logger = new DefaultLogger('TRACE', (entry: LogEntry) => logLines.push(`${entry.message} ${JSON.stringify(entry.meta ?? {})}`));
  const { executeOperation } = activities;
  // Each call is its own activity, as in a workflow (the credential's audit event id names it).
  return new MockActivityEnvironment({ activityId: input.actionId, attempt }, { logger }).run<
    [ExecuteOperationInput],
    ExecutionResult,
    typeof executeOperation
  >(executeOperation, input);
}

/** CopyObject requests the proxy forwarded to `bucket/key`. */
function copyRequestsTo(bucket: string, key: string): number {
  const path = `/${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
  return proxy.exchanges().filter((exchange) => exchange.method === 'PUT' && exchange.url.includes('x-id=CopyObject') && exchange.url.split('?')[0] === path)
    .length;
}

/** The copy as the workflow runs it: previewed first, its execution bound to what the preview read. */
async function previewedInput(params: JsonObject, overrides: Partial<ExecuteOperationInput> = {}): Promise<ExecuteOperationInput> {
  const input = copyInput(params, overrides);
  const preview = await activities.previewOperation({ actionId: input.actionId, action: input.action, params: input.params, requester: input.requester });
  return { ...input, ...(preview.preconditions ? { preconditions: preview.preconditions } : {}) };
}

/** The credentials recorded for this action's execution (its preview's are recorded too). */
async function executionCredentials(actionId: string) {
  return (await audit.lineage(actionId)).filter((event) => event.kind === 'credential.issued' && event.data.purpose !== 'preview');
}

function copyInput(params: JsonObject, overrides: Partial<ExecuteOperationInput> = {}): ExecuteOperationInput {
  counter += 1;
  return {
    actionId: `action-s3.copyObject-exectest${String(counter).padStart(8, '0')}`,
    action: 's3.copyObject',
    params,
    requester: { id: 'etl-bot', source: 'api' },
    approvers: ['alice', 'bob'],
    ...overrides,
  };
}

/** The AssumeRole requests the proxy saw, as form fields. */
function assumeRoleRequests(): URLSearchParams[] {
  return proxy
    .exchanges()
    .map((exchange) => new URLSearchParams(exchange.requestBody))
    .filter((form) => form.get('Action') === 'AssumeRole');
}

describe('executeOperation on moto', () => {
  test('copies the object to the destination bucket and returns names and results only', async () => {
    const params = {
      sourceBucket: SOURCE_BUCKET,
      sourceKey: SOURCE_KEY,
      destinationBucket: DESTINATION_BUCKET,
      destinationKey: 'exports/2026 q3 (final)+ü.csv',
    };
    const input = await previewedInput(params);
    expect(input.preconditions).toEqual({ sourceETag: expect.stringMatching(/^"[0-9a-f]{32}"$/) });
    const result = await runExecute(input);

    expect(await readObject(s3, DESTINATION_BUCKET, params.destinationKey)).toBe(BODY);
    expect(result).toEqual({
      summary: `copy s3://${SOURCE_BUCKET}/${SOURCE_KEY} to s3://${DESTINATION_BUCKET}/${params.destinationKey}`,
      outputs: { destination: `s3://${DESTINATION_BUCKET}/${params.destinationKey}`, etag: expect.stringMatching(/\S/) },
      session: { roleArn, roleSessionName: input.actionId, sourceIdentity: 'etl-bot' },
      completedAt: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(result.completedAt))).toBe(false);
  });

  test('records the credential it was issued, by key id and session name, never its secret', async () => {
    const params = { sourceBucket: SOURCE_BUCKET, sourceKey: SOURCE_KEY, destinationBucket: DESTINATION_BUCKET, destinationKey: 'exports/audited.csv' };
    const input = await previewedInput(params);
    const issuedBefore = proxy.issuedAccessKeyIds().length;
    await runExecute(input);

    const events = await executionCredentials(input.actionId);
    const newKeyIds = proxy.issuedAccessKeyIds().slice(issuedBefore);
    expect(newKeyIds).toHaveLength(1);
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'credential.issued',
        actor: 'airlock',
        data: {
          purpose: 'execute',
          roleArn,
          roleSessionName: input.actionId,
          sourceIdentity: 'etl-bot',
          accessKeyId: newKeyIds[0],
          expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          // The policy exactly as STS received it.
          sessionPolicy: assumeRoleRequests().at(-1)?.get('Policy'),
        },
      }),
    ]);
    const stored = JSON.stringify(events);
    for (const secret of proxy.issuedSecrets()) expect(stored).not.toContain(secret);
  });

  test('asks STS for a session with the exact session policy bounded to about a minute, source identity and tags', async () => {
    const params = {
      sourceBucket: SOURCE_BUCKET,
      sourceKey: SOURCE_KEY,
      destinationBucket: DESTINATION_BUCKET,
      destinationKey: 'exports/sts-shape.csv',
    };
    const input = await previewedInput(params, { approvers: ['alice', 'carol@example.com'] });
    const before = assumeRoleRequests().length;
    const startedAt = Date.now();
    await runExecute(input);
    const endedAt = Date.now();

    const sent = assumeRoleRequests().slice(before);
    expect(sent).toHaveLength(1);
    const form = sent[0] as URLSearchParams;
    expect(form.get('RoleArn')).toBe(roleArn);
    expect(form.get('RoleSessionName')).toBe(input.actionId);
    expect(form.get('DurationSeconds')).toBe('900'); // STS's minimum; the policy's time bound is what makes it short
    expect(form.get('SourceIdentity')).toBe('etl-bot');
    const policy = JSON.parse(form.get('Policy') ?? '');
    const bound = new Date(policy.Statement[0].Condition.DateLessThan['aws:CurrentTime']);
    // 30 s declared running time + 30 s clock skew margin, rounded up to the second, from the issue.
    expect(bound.getTime()).toBeGreaterThanOrEqual(startedAt + 60_000 - 1000);
    expect(bound.getTime()).toBeLessThanOrEqual(endedAt + 61_000);
    expect(policy).toEqual(timeBoundPolicy(s3CopyObject.sessionPolicy(s3CopyObject.params.parse(params), 'aws'), bound));
    expect(form.get('PolicyArns.member.1.arn')).toBeNull();
    const tags = [1, 2, 3].map((n) => [form.get(`Tags.member.${n}.Key`), form.get(`Tags.member.${n}.Value`)]);
    expect(tags).toEqual([
      ['airlock-action-id', input.actionId],
      ['airlock-action', 's3.copyObject'],
      ['airlock-approvers', 'alice carol@example.com'],
    ]);
  });

  test('a source missing at the preview and still missing: a non-retryable NoSuchKey, nothing copied', async () => {
    const input = await previewedInput({
      sourceBucket: SOURCE_BUCKET,
      sourceKey: 'reports/does-not-exist.csv',
      destinationBucket: DESTINATION_BUCKET,
      destinationKey: 'exports/never.csv',
    });
    expect(input.preconditions).toEqual({ sourceETag: null });
    const failure = await failureOf(runExecute(input));
    expect(failure.type).toBe('NoSuchKey');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      `s3.copyObject failed: s3://${SOURCE_BUCKET}/reports/does-not-exist.csv does not exist (nor did it when previewed); nothing was copied (NoSuchKey, HTTP 404)`,
    );
    expect(failure.cause).toBeUndefined();
    expect(failure.details ?? []).toEqual([]);
    expect(copyRequestsTo(DESTINATION_BUCKET, 'exports/never.csv')).toBe(0);
  });

  test('a source missing at the preview that appears before the execution: precondition_failed, nothing copied', async () => {
    const sourceKey = `reports/appears-later-${counter}.csv`;
    const input = await previewedInput({
      sourceBucket: SOURCE_BUCKET,
      sourceKey,
      destinationBucket: DESTINATION_BUCKET,
      destinationKey: 'exports/appeared.csv',
    });
    await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: sourceKey, Body: BODY }));
    const failure = await failureOf(runExecute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain('but the preview could not read it');
    expect(await objectExists(s3, DESTINATION_BUCKET, 'exports/appeared.csv')).toBe(false);
  });

  test('without preconditions from a preview, nothing runs: invalid_preconditions before any AWS call', async () => {
    const before = proxy.exchanges().length;
    const failure = await failureOf(
      runExecute(
        copyInput({ sourceBucket: SOURCE_BUCKET, sourceKey: SOURCE_KEY, destinationBucket: DESTINATION_BUCKET, destinationKey: 'exports/unreviewed.csv' }),
      ),
    );
    expect(failure).toMatchObject({ type: 'invalid_preconditions', nonRetryable: true });
    expect(proxy.exchanges().length).toBe(before);
  });

  test('a missing destination bucket is a non-retryable NoSuchBucket failure', async () => {
    const failure = await failureOf(
      runExecute(
        await previewedInput({
          sourceBucket: SOURCE_BUCKET,
          sourceKey: SOURCE_KEY,
          destinationBucket: 'exec-it-no-such-bucket',
          destinationKey: 'exports/never.csv',
        }),
      ),
    );
    expect(failure.type).toBe('NoSuchBucket');
    expect(failure.nonRetryable).toBe(true);
  });

  test('unknown actions and invalid params fail before any AWS call', async () => {
    const before = proxy.exchanges().length;
    const unknown = await failureOf(runExecute(copyInput({}, { action: 's3.deleteEverything' })));
    expect(unknown.type).toBe('UnknownAction');
    expect(unknown.nonRetryable).toBe(true);

    const invalid = await failureOf(
      runExecute(copyInput({ sourceBucket: SOURCE_BUCKET, sourceKey: 'reports/*', destinationBucket: DESTINATION_BUCKET, destinationKey: 'x' })),
    );
    expect(invalid.type).toBe('InvalidParams');
    expect(invalid.nonRetryable).toBe(true);
    expect(invalid.message).toContain('params.sourceKey');
    expect(proxy.exchanges().length).toBe(before);
  });

  test('no credential moto issued appears in results, failures or log lines', async () => {
    const params = {
      sourceBucket: SOURCE_BUCKET,
      sourceKey: SOURCE_KEY,
      destinationBucket: DESTINATION_BUCKET,
      destinationKey: 'exports/leak-check.csv',
    };
    const result = await runExecute(await previewedInput(params));
    const failure = await failureOf(runExecute(await previewedInput({ ...params, destinationBucket: 'exec-it-no-such-bucket' })));

    const secrets = proxy.issuedSecrets();
    // At least a secret key and a session token per AssumeRole of this file.
    expect(secrets.length).toBeGreaterThanOrEqual(4);
    const visible = [
      JSON.stringify(result),
      failure.message,
      failure.stack ?? '',
      JSON.stringify(failure),
      JSON.stringify(failure.details ?? null),
      ...logLines,
    ].join('\n');
    for (const secret of secrets) expect(visible.includes(secret)).toBe(false);
  });

  describe('a retry after an attempt whose outcome is unknown', () => {
    const params = (destinationKey: string): JsonObject => ({
      sourceBucket: SOURCE_BUCKET,
      sourceKey: SOURCE_KEY,
      destinationBucket: DESTINATION_BUCKET,
      destinationKey,
    });

    test('finds the copy already in place under a read-only recheck session, and does not copy again', async () => {
      const input = await previewedInput(params('exports/retried-after-copy.csv'));
      const first = await runExecute(input);
      expect(copyRequestsTo(DESTINATION_BUCKET, 'exports/retried-after-copy.csv')).toBe(1);
      const before = assumeRoleRequests().length;

      const retried = await runExecute(input, 2);

      expect(copyRequestsTo(DESTINATION_BUCKET, 'exports/retried-after-copy.csv')).toBe(1);
      expect(retried).toEqual({
        summary: first.summary,
        outputs: { ...first.outputs, alreadyApplied: true },
        session: { roleArn, roleSessionName: `${input.actionId}.recheck`, sourceIdentity: 'etl-bot' },
        completedAt: expect.any(String),
      });
      // One read-only session: the preview policy (HeadObject on the two objects), nothing that writes.
      const sent = assumeRoleRequests().slice(before);
      expect(sent.map((form) => form.get('RoleSessionName'))).toEqual([`${input.actionId}.recheck`]);
      const policy = JSON.parse(sent[0]?.get('Policy') ?? '');
      const bound = new Date(policy.Statement[0].Condition.DateLessThan['aws:CurrentTime']);
      expect(policy).toEqual(timeBoundPolicy(s3CopyObject.previewPolicy(s3CopyObject.params.parse(input.params), 'aws'), bound));
      const recorded = (await executionCredentials(input.actionId)).map((event) => event.data.purpose);
      expect(recorded).toEqual(['execute', 'recheck']);
    });

    test('copies when the destination does not hold the source yet', async () => {
      const input = await previewedInput(params('exports/retried-before-copy.csv'));
      const before = assumeRoleRequests().length;

      const retried = await runExecute(input, 2);

      expect(copyRequestsTo(DESTINATION_BUCKET, 'exports/retried-before-copy.csv')).toBe(1);
      expect(await readObject(s3, DESTINATION_BUCKET, 'exports/retried-before-copy.csv')).toBe(BODY);
      expect(retried.outputs.alreadyApplied).toBeUndefined();
      expect(
        assumeRoleRequests()
          .slice(before)
          .map((form) => form.get('RoleSessionName')),
      ).toEqual([`${input.actionId}.recheck`, input.actionId]);
      // Both credentials of the one attempt are on record, each by its own key id.
      const recorded = await executionCredentials(input.actionId);
      expect(recorded.map((event) => event.data.purpose)).toEqual(['recheck', 'execute']);
      expect(new Set(recorded.map((event) => event.data.accessKeyId)).size).toBe(2);
    });

    test('copies again when the destination holds other content', async () => {
      const key = 'exports/retried-over-other.csv';
      await s3.send(new PutObjectCommand({ Bucket: DESTINATION_BUCKET, Key: key, Body: 'older,content\n' }));
      const input = await previewedInput(params(key));

      const retried = await runExecute(input, 2);

      expect(copyRequestsTo(DESTINATION_BUCKET, key)).toBe(1);
      expect(await readObject(s3, DESTINATION_BUCKET, key)).toBe(BODY);
      expect(retried.outputs.alreadyApplied).toBeUndefined();
    });

    test('the first attempt never rechecks', async () => {
      const input = await previewedInput(params('exports/first-attempt.csv'));
      const before = assumeRoleRequests().length;
      await runExecute(input);
      expect(
        assumeRoleRequests()
          .slice(before)
          .map((form) => form.get('RoleSessionName')),
      ).toEqual([input.actionId]);
    });
  });
});

/**
 * What was reviewed is what runs: the source replaced between the preview and the execution (the
 * bait swap of issue 16) copies nothing. moto ignores `x-amz-copy-source-if-match`, so on moto it
 * is the HEAD the execution reads first that stops it; real S3 also refuses the copy itself.
 */
describe('s3.copyObject after the source changed', () => {
  const BAIT = 'id,note\n1,harmless\n'; // 20 bytes, what the reviewers see
  const SALARIES = 'name,salary\nalice,185000\nbob,172000\n';

  test('the source overwritten after the preview: precondition_failed, no copy request, nothing at the destination', async () => {
    const sourceKey = `scratch/bait-${counter}.csv`;
    await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: sourceKey, Body: BAIT }));
    const destinationKey = `exports/bait-${counter}.csv`;
    const input = await previewedInput({ sourceBucket: SOURCE_BUCKET, sourceKey, destinationBucket: DESTINATION_BUCKET, destinationKey });
    await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: sourceKey, Body: SALARIES }));

    const failure = await failureOf(runExecute(input));

    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain(
      `s3://${SOURCE_BUCKET}/${sourceKey} changed after the preview: the preview read ETag ${String(input.preconditions?.sourceETag)}, it now has ETag`,
    );
    expect(failure.message).toContain(`(${SALARIES.length} bytes`);
    expect(copyRequestsTo(DESTINATION_BUCKET, destinationKey)).toBe(0);
    expect(await objectExists(s3, DESTINATION_BUCKET, destinationKey)).toBe(false);
  });

  test('the source deleted after the preview: precondition_failed, nothing at the destination', async () => {
    const sourceKey = `scratch/deleted-${counter}.csv`;
    await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: sourceKey, Body: BAIT }));
    const input = await previewedInput({
      sourceBucket: SOURCE_BUCKET,
      sourceKey,
      destinationBucket: DESTINATION_BUCKET,
      destinationKey: `exports/deleted-${counter}.csv`,
    });
    await s3.send(new DeleteObjectCommand({ Bucket: SOURCE_BUCKET, Key: sourceKey }));
    const failure = await failureOf(runExecute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain(`s3://${SOURCE_BUCKET}/${sourceKey} was deleted after the preview`);
    expect(await objectExists(s3, DESTINATION_BUCKET, `exports/deleted-${counter}.csv`)).toBe(false);
  });

  test('moto copies despite a CopySourceIfMatch that does not hold (why the execution reads first); real S3 answers 412', async () => {
    const key = `scratch/moto-if-match-${counter}.csv`;
    await s3.send(new PutObjectCommand({ Bucket: SOURCE_BUCKET, Key: key, Body: BAIT }));
    const copied = await s3.send(
      new CopyObjectCommand({
        Bucket: DESTINATION_BUCKET,
        Key: key,
        CopySource: `${SOURCE_BUCKET}/${key}`,
        CopySourceIfMatch: '"00000000000000000000000000000000"',
      }),
    );
    expect(copied.CopyObjectResult?.ETag).toEqual(expect.any(String));
    expect(await objectExists(s3, DESTINATION_BUCKET, key)).toBe(true);
  });
});
