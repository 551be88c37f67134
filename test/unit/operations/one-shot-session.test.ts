import type { STSClient } from '@aws-sdk/client-sts';
import { MockActivityEnvironment } from '@temporalio/testing';
import { z } from 'zod';
import { createExecuteActivities } from '../../../activities/execute';
import { createPreviewActivities, type PreviewOperationInput } from '../../../activities/preview';
import { Catalogue } from '../../../operations/catalogue';
import { PreconditionFailedError } from '../../../operations/preconditions';
import type { ExecutionContext, Operation, OperationOutcome, OperationPreview } from '../../../operations/types';
import type { ExecuteOperationInput, ExecutionResult } from '../../../domain/types';
import { memoryAuditLog } from '../../support/audit';
import { failureOf } from '../../support/failures';

// The one-shot runner as the execute and preview activities use it: preconditions checked by the
// operation's schema before any credential exists, credentials bounded in time and renewed on
// request, each one recorded.

const ROLE_ARN = 'arn:aws:iam::123456789012:role/airlock-executor';
const ACTION_ID = 'action-test.bound-abcdefghijkmnpqr';

const boundPreconditions = z.strictObject({ version: z.string().regex(/^v\d+$/) });
type Bound = z.infer<typeof boundPreconditions>;

interface Script {
  execute?: (context: ExecutionContext<Bound>) => Promise<OperationOutcome>;
  preview?: () => Promise<OperationPreview>;
  findApplied?: (context: ExecutionContext<Bound>) => Promise<OperationOutcome | undefined>;
}

/** A test operation that binds its execution to `{ version }`, and declares a 20 s running time. */
function boundOperation(script: Script): Operation<{ name: string }, Bound> {
  return {
    name: 'test.bound',
    title: 'Bound',
    description: 'test operation bound to its preview',
    params: z.strictObject({ name: z.string().regex(/^[a-z]+$/) }),
    idempotent: true,
    runningTimeSeconds: 20,
    summarize: (p) => `touch ${p.name}`,
    sessionPolicy: (p, partition) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`arn:${partition}:s3:::bucket/${p.name}`] }],
    }),
    execute: (_p, context) => (script.execute ?? (async () => ({ summary: 'touched', outputs: { version: context.preconditions.version } })))(context),
    previewPolicy: (p, partition) => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:${partition}:s3:::bucket/${p.name}`] }],
    }),
    preview: () => (script.preview ?? (async () => ({ facts: {}, notes: [], warnings: [], preconditions: { version: 'v1' } })))(),
    preconditions: boundPreconditions,
    ...(script.findApplied
      ? { findApplied: (_p: { name: string }, context: ExecutionContext<Bound>) => (script.findApplied as NonNullable<Script['findApplied']>)(context) }
      : {}),
  };
}

/** A stand-in for STS: each AssumeRole issues the next key (KEY1, KEY2, …). */
function fakeSts() {
  const inputs: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      inputs.push(command.input);
      const n = inputs.length;
      return {
        Credentials: {
          AccessKeyId: `KEY${n}`,
          SecretAccessKey: `secret-access-key-number-${n}`,
          SessionToken: `session-token-number-${n}`,
          Expiration: new Date('2026-11-30T12:15:00Z'),
        },
      };
    },
  } as unknown as STSClient; // the activities only call send()
  return { client, inputs, policies: () => inputs.map((input) => JSON.parse(String(input.Policy))) };
}

function setUp(script: Script = {}, clock = { now: new Date('2026-11-30T12:00:00Z') }) {
  const sts = fakeSts();
  const audit = memoryAuditLog();
  const deps = {
    catalogue: new Catalogue([boundOperation(script)]),
    aws: { region: 'eu-west-1', partition: 'aws', executorRoleArn: ROLE_ARN },
    sts: sts.client,
    audit,
    now: () => clock.now,
  };
  return { sts, audit, clock, ...createExecuteActivities(deps), ...createPreviewActivities(deps) };
}

function input(overrides: Partial<ExecuteOperationInput> = {}): ExecuteOperationInput {
  return {
    actionId: ACTION_ID,
    action: 'test.bound',
    params: { name: 'report' },
    requester: { id: 'etl-bot', source: 'api' },
    approvers: ['alice'],
    preconditions: { version: 'v1' },
    ...overrides,
  };
}

/** Runs the execute activity as attempt `attempt` of one activity, as a worker would. */
function asAttempt(activities: ReturnType<typeof setUp>, attempt: number, executeInput: ExecuteOperationInput): Promise<ExecutionResult> {
  return new MockActivityEnvironment({ activityId: 'execute', attempt }).run(activities.executeOperation, executeInput);
}

describe('preconditions, before any credential', () => {
  test("an execution gets them parsed by the operation's schema", async () => {
    const activities = setUp();
    const result = await activities.executeOperation(input());
    expect(result.outputs).toEqual({ version: 'v1' });
  });

  test.each([
    ['none', undefined, 'test.bound runs only as previewed, and this action has no preconditions from a preview'],
    ['malformed ones', { version: 'latest' }, 'test.bound received malformed preconditions: preconditions.version:'],
    ['extra fields', { version: 'v1', also: 'x' }, 'test.bound received malformed preconditions: preconditions: Unrecognized key'],
  ])('%s: non-retryable invalid_preconditions, and STS is never called', async (_name, preconditions, says) => {
    const activities = setUp();
    const { preconditions: _dropped, ...rest } = input();
    const failure = await failureOf(activities.executeOperation(preconditions === undefined ? rest : { ...rest, preconditions }));
    expect(failure).toMatchObject({ type: 'invalid_preconditions', nonRetryable: true });
    expect(failure.message).toContain(says);
    expect(activities.sts.inputs).toEqual([]);
  });

  test('a changed world is precondition_failed, not retried, its message saying what changed', async () => {
    const activities = setUp({
      execute: async () => {
        throw new PreconditionFailedError('bucket/report is v2 now, the preview read v1; nothing was written');
      },
    });
    const failure = await failureOf(activities.executeOperation(input()));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toBe('test.bound failed: bucket/report is v2 now, the preview read v1; nothing was written (precondition_failed)');
  });

  test("a preview must return preconditions its operation's schema accepts", async () => {
    const previewInput: PreviewOperationInput = {
      actionId: ACTION_ID,
      action: 'test.bound',
      params: { name: 'report' },
      requester: { id: 'etl-bot', source: 'api' },
    };
    expect((await setUp().previewOperation(previewInput)).preconditions).toEqual({ version: 'v1' });
    const none = await failureOf(setUp({ preview: async () => ({ facts: {}, notes: [], warnings: [] }) }).previewOperation(previewInput));
    expect(none).toMatchObject({ type: 'invalid_preconditions', nonRetryable: true });
    expect(none.message).toContain('test.bound returned no preconditions from its preview');
    const bad = await failureOf(
      setUp({ preview: async () => ({ facts: {}, notes: [], warnings: [], preconditions: { version: 3 } }) }).previewOperation(previewInput),
    );
    expect(bad.message).toContain('test.bound previewed malformed preconditions: preconditions.version');
  });
});

describe('credentials that live seconds', () => {
  test('every session (preview, recheck, execute) is bounded at issue + the declared running time + the skew margin', async () => {
    const activities = setUp({ findApplied: async () => undefined });
    await activities.previewOperation({ actionId: ACTION_ID, action: 'test.bound', params: { name: 'report' }, requester: { id: 'etl-bot', source: 'api' } });
    activities.clock.now = new Date('2026-11-30T13:00:00.500Z');
    await asAttempt(activities, 2, input()); // a retry: recheck, then execute
    const bounds = activities.sts.policies().map((policy) => policy.Statement.map((statement: { Condition: unknown }) => statement.Condition));
    expect(activities.sts.inputs.map((sent) => sent.RoleSessionName)).toEqual([`${ACTION_ID}.preview`, `${ACTION_ID}.recheck`, ACTION_ID]);
    expect(bounds).toEqual([
      [{ DateLessThan: { 'aws:CurrentTime': '2026-11-30T12:00:50Z' } }],
      [{ DateLessThan: { 'aws:CurrentTime': '2026-11-30T13:00:51Z' } }],
      [{ DateLessThan: { 'aws:CurrentTime': '2026-11-30T13:00:51Z' } }],
    ]);
    expect(activities.sts.inputs.every((sent) => sent.DurationSeconds === 900)).toBe(true); // STS's minimum; the policy does the rest
  });

  test('renewed credentials are bounded from their own issue, and each is recorded by key id', async () => {
    const contexts: ExecutionContext<Bound>[] = [];
    const activities = setUp({
      execute: async (context) => {
        contexts.push(context);
        activities.clock.now = new Date('2026-11-30T12:00:45Z');
        const second = await context.renewCredentials();
        activities.clock.now = new Date('2026-11-30T12:01:30Z');
        const third = await context.renewCredentials();
        return {
          summary: 'batched',
          outputs: {
            keys: [context.credentials.accessKeyId, second.credentials.accessKeyId, third.credentials.accessKeyId].join(','),
            until: third.usableUntil.toISOString(),
          },
        };
      },
    });
    const result = await asAttempt(activities, 1, input());
    expect(result.outputs).toEqual({ keys: 'KEY1,KEY2,KEY3', until: '2026-11-30T12:01:50.000Z' });
    expect(contexts[0]?.usableUntil).toEqual(new Date('2026-11-30T12:00:20Z'));
    expect(activities.sts.policies().map((policy) => policy.Statement[0].Condition.DateLessThan['aws:CurrentTime'])).toEqual([
      '2026-11-30T12:00:50Z',
      '2026-11-30T12:01:35Z',
      '2026-11-30T12:02:20Z',
    ]);
    const issued = (await activities.audit.lineage(ACTION_ID)).filter((event) => event.kind === 'credential.issued');
    expect(issued.map((event) => [event.data.purpose, event.data.accessKeyId])).toEqual([
      ['execute', 'KEY1'],
      ['execute', 'KEY2'],
      ['execute', 'KEY3'],
    ]);
    expect(new Set(issued.map((event) => event.eventId)).size).toBe(3);
    expect(JSON.stringify(issued)).not.toMatch(/secret-access-key|session-token/);
  });

  test('a retry records both its recheck and its execution credential', async () => {
    const activities = setUp({ findApplied: async () => undefined });
    await asAttempt(activities, 2, input());
    const issued = (await activities.audit.lineage(ACTION_ID)).filter((event) => event.kind === 'credential.issued');
    expect(issued.map((event) => [event.data.purpose, event.data.accessKeyId])).toEqual([
      ['recheck', 'KEY1'],
      ['execute', 'KEY2'],
    ]);
  });

  test('access denied after the window closed is the time bound at work: retryable, with fresh credentials next time', async () => {
    const activities = setUp({
      execute: async () => {
        activities.clock.now = new Date('2026-11-30T12:00:21Z'); // the operation outlived its declared 20 s
        throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
      },
    });
    const failure = await failureOf(activities.executeOperation(input()));
    expect(failure).toMatchObject({ type: 'SessionTimeBoundExceeded', nonRetryable: false });
    expect(failure.message).toContain("access denied after its credentials' window of 20 s had passed");
  });

  test('access denied within the window stays AccessDenied, not retried', async () => {
    const activities = setUp({
      execute: async () => {
        throw Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $fault: 'client', $metadata: { httpStatusCode: 403 } });
      },
    });
    expect(await failureOf(activities.executeOperation(input()))).toMatchObject({ type: 'AccessDenied', nonRetryable: true });
  });

  test('no renewed secret leaks into a failure', async () => {
    const activities = setUp({
      execute: async (context) => {
        const renewed = await context.renewCredentials();
        throw Object.assign(new Error(`signed with ${renewed.credentials.secretAccessKey}`), {
          name: 'InvalidRequest',
          $fault: 'client',
          $metadata: { httpStatusCode: 400 },
        });
      },
    });
    const failure = await failureOf(activities.executeOperation(input()));
    expect(failure.message).not.toContain('secret-access-key-number-2');
  });
});
