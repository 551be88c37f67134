import type { STSClient } from '@aws-sdk/client-sts';
import { STSServiceException } from '@aws-sdk/client-sts';
import { z } from 'zod';
import { memoryAuditLog } from '../../support/audit';
import { failureOf } from '../../support/failures';
import { createExecuteActivities } from '../../../activities/execute';
import { Catalogue } from '../../../operations/catalogue';
import { s3CopyObject } from '../../../operations/s3/copy-object';
import type { Operation, OperationContext, OperationOutcome } from '../../../operations/types';
import type { ExecuteOperationInput } from '../../../domain/types';

const SECRET = 'secret-access-key-issued-by-sts-0123456789';
const TOKEN = 'session-token-issued-by-sts-FQoGZXIvYXdzEBYaD';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/airlock-executor';

type Behaviour = (context: OperationContext) => Promise<OperationOutcome>;

/** A catalogue with one test operation whose execute does whatever the test says. */
function testCatalogue(behaviour: Behaviour): { catalogue: Catalogue; contexts: OperationContext[] } {
  const contexts: OperationContext[] = [];
  const operation: Operation<{ name: string }> = {
    name: 'test.touch',
    title: 'Touch',
    description: 'test operation',
    params: z.strictObject({ name: z.string().regex(/^[a-z]+$/) }),
    idempotent: true,
    summarize: (p) => `touch ${p.name}`,
    sessionPolicy: (p, partition) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`arn:${partition}:s3:::bucket/${p.name}`] }],
    }),
    execute: async (_p, context) => {
      contexts.push(context);
      return behaviour(context);
    },
    previewPolicy: (p, partition) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:${partition}:s3:::bucket/${p.name}`] }],
    }),
    preview: async () => ({ facts: {}, notes: [], warnings: [] }),
  };
  return { catalogue: new Catalogue([operation]), contexts };
}

function fakeSts(respond: (input: Record<string, unknown>) => unknown = () => issued()): { client: STSClient; inputs: Record<string, unknown>[] } {
  const inputs: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      inputs.push(command.input);
      return respond(command.input);
    },
  } as unknown as STSClient; // the activity only calls send()
  return { client, inputs };
}

function issued() {
  return { Credentials: { AccessKeyId: 'ASIATESTKEY', SecretAccessKey: SECRET, SessionToken: TOKEN, Expiration: new Date(Date.now() + 900_000) } };
}

function input(overrides: Partial<ExecuteOperationInput> = {}): ExecuteOperationInput {
  return {
    actionId: 'action-test.touch-abcdefghijkmnpqr',
    action: 'test.touch',
    params: { name: 'report' },
    requester: { id: 'etl-bot', source: 'api' },
    approvers: ['alice'],
    ...overrides,
  };
}

/** The clock sessions are bounded from: fixed, so the time bound in each policy is exact. */
const NOW = new Date('2026-11-30T12:00:00.250Z');

function activitiesWith(behaviour: Behaviour, sts = fakeSts(), audit = memoryAuditLog()) {
  const { catalogue, contexts } = testCatalogue(behaviour);
  const activities = createExecuteActivities({
    catalogue,
    aws: { region: 'eu-west-1', partition: 'aws', endpoint: 'http://127.0.0.1:1', executorRoleArn: ROLE_ARN },
    sts: sts.client,
    audit,
    now: () => NOW,
  });
  return { ...activities, contexts, sts, audit };
}

const succeed: Behaviour = async () => ({ summary: 'touched report', outputs: { object: 's3://bucket/report', count: 1 } });

describe('executeOperation', () => {
  test('assumes the role with the operation session policy bounded in time, runs it with those credentials, returns names only', async () => {
    const { executeOperation, contexts, sts } = activitiesWith(succeed);
    const result = await executeOperation(input());

    expect(sts.inputs).toHaveLength(1);
    expect(sts.inputs[0]).toMatchObject({
      RoleArn: ROLE_ARN,
      RoleSessionName: 'action-test.touch-abcdefghijkmnpqr',
      DurationSeconds: 900,
      SourceIdentity: 'etl-bot',
      // Issued at 12:00:00.250; the default running time (30 s) and the clock skew margin (30 s), rounded up to the second.
      Policy:
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::bucket/report"],' +
        '"Condition":{"DateLessThan":{"aws:CurrentTime":"2026-11-30T12:01:01Z"}}}]}',
    });
    expect(contexts).toEqual([
      {
        actionId: 'action-test.touch-abcdefghijkmnpqr',
        region: 'eu-west-1',
        partition: 'aws',
        endpoint: 'http://127.0.0.1:1',
        credentials: expect.objectContaining({ accessKeyId: 'ASIATESTKEY', secretAccessKey: SECRET, sessionToken: TOKEN }),
        usableUntil: new Date('2026-11-30T12:00:30.250Z'),
        renewCredentials: expect.any(Function),
        preconditions: undefined, // the test operation binds nothing
      },
    ]);
    expect(result).toEqual({
      summary: 'touched report',
      outputs: { object: 's3://bucket/report', count: 1 },
      session: { roleArn: ROLE_ARN, roleSessionName: 'action-test.touch-abcdefghijkmnpqr', sourceIdentity: 'etl-bot' },
      completedAt: expect.any(String),
    });
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  test('unknown action: non-retryable UnknownAction, no STS call', async () => {
    const { executeOperation, sts } = activitiesWith(succeed);
    const failure = await failureOf(executeOperation(input({ action: 'test.nope' })));
    expect(failure).toMatchObject({ type: 'UnknownAction', nonRetryable: true });
    expect(sts.inputs).toEqual([]);
  });

  test('params the schema refuses: non-retryable InvalidParams, no STS call', async () => {
    const { executeOperation, sts } = activitiesWith(succeed);
    const failure = await failureOf(executeOperation(input({ params: { name: '*' } })));
    expect(failure).toMatchObject({ type: 'InvalidParams', nonRetryable: true });
    expect(failure.message).toContain('params.name');
    expect(sts.inputs).toEqual([]);
  });

  test('an STS refusal keeps its AWS name and is not retried', async () => {
    const denied = fakeSts(() => {
      throw new STSServiceException({
        name: 'AccessDenied',
        $fault: 'client',
        $metadata: { httpStatusCode: 403 },
        message: 'User is not authorized to perform: sts:TagSession',
      });
    });
    const { executeOperation, contexts } = activitiesWith(succeed, denied);
    const failure = await failureOf(executeOperation(input()));
    expect(failure).toMatchObject({ type: 'AccessDenied', nonRetryable: true });
    expect(failure.message).toBe('sts:AssumeRole failed: User is not authorized to perform: sts:TagSession (AccessDenied, HTTP 403)');
    expect(contexts).toEqual([]);
  });

  test('an operation error that quotes the credentials is redacted', async () => {
    const { executeOperation } = activitiesWith(async (context) => {
      throw Object.assign(new Error(`signed with ${context.credentials.secretAccessKey} / ${context.credentials.sessionToken}`), {
        name: 'InvalidRequest',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
        credentials: context.credentials,
      });
    });
    const failure = await failureOf(executeOperation(input()));
    expect(failure).toMatchObject({ type: 'InvalidRequest', nonRetryable: true });
    const visible = `${failure.message}\n${failure.stack ?? ''}\n${JSON.stringify(failure)}\n${JSON.stringify(failure.details ?? null)}`;
    expect(visible).not.toContain(SECRET);
    expect(visible).not.toContain(TOKEN);
    expect(failure.cause).toBeUndefined();
  });

  test('an operation that returns its credentials has its result discarded', async () => {
    const { executeOperation } = activitiesWith(async (context) => ({
      summary: 'oops',
      outputs: { token: context.credentials.sessionToken ?? '' },
    }));
    const failure = await failureOf(executeOperation(input()));
    expect(failure).toMatchObject({ type: 'CredentialLeak', nonRetryable: true });
    expect(failure.message).not.toContain(TOKEN);
  });

  test('a bad partition setting is a non-retryable SessionPolicyError before STS is called', async () => {
    const sts = fakeSts();
    const { executeOperation } = createExecuteActivities({
      catalogue: new Catalogue([s3CopyObject]),
      aws: { region: 'eu-west-1', partition: 'aws:iam::*', executorRoleArn: ROLE_ARN },
      sts: sts.client,
      audit: memoryAuditLog(),
    });
    const failure = await failureOf(
      executeOperation(
        input({
          action: 's3.copyObject',
          params: { sourceBucket: 'aaa', sourceKey: 'k', destinationBucket: 'bbb', destinationKey: 'k' },
          preconditions: { sourceETag: '"etag"' },
        }),
      ),
    );
    expect(failure).toMatchObject({ type: 'SessionPolicyError', nonRetryable: true });
    expect(sts.inputs).toEqual([]);
  });

  describe('its result on record', () => {
    const RESULT_ID = 'action-test.touch-abcdefghijkmnpqr/run-1/8';

    test('stores operation.succeeded under the id the workflow reserved, once however often it is asked', async () => {
      const { executeOperation, audit } = activitiesWith(succeed);
      const first = await executeOperation(input({ resultEventId: RESULT_ID }));
      const again = await executeOperation(input({ resultEventId: RESULT_ID })); // a retry after a lost completion

      expect([first.recorded, again.recorded]).toEqual([true, true]);
      const results = (await audit.lineage(input().actionId)).filter((event) => event.kind === 'operation.succeeded');
      expect(results.map((event) => [event.eventId, event.data])).toEqual([[RESULT_ID, expect.objectContaining({ summary: 'touched report' })]]);
    });

    test('still succeeds when the store fails after the operation ran, and says the result is not on record', async () => {
      const audit = memoryAuditLog();
      const { executeOperation, contexts } = activitiesWith(succeed, fakeSts(), audit);
      const append = audit.append.bind(audit);
      audit.append = async (events) => (events.some((event) => event.kind === 'operation.succeeded') ? Promise.reject(new Error('disk full')) : append(events));

      const result = await executeOperation(input({ resultEventId: RESULT_ID }));

      expect(contexts).toHaveLength(1); // it ran
      expect(result.recorded).toBeUndefined(); // the workflow records it then
      expect(result.summary).toBe('touched report');
    });

    test('stores nothing without a reserved id (workflows of release 0.1.0 record the result themselves)', async () => {
      const { executeOperation, audit } = activitiesWith(succeed);
      const result = await executeOperation(input());
      expect(result.recorded).toBeUndefined();
      expect((await audit.lineage(input().actionId)).map((event) => event.kind)).not.toContain('operation.succeeded');
    });
  });
});
