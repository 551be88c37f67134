import { randomUUID } from 'node:crypto';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { createExecuteActivities } from '../../activities/execute';
import { createPreviewActivities } from '../../activities/preview';
import type { ExecuteOperationInput, ExecutionResult, JsonObject, OperationPreview } from '../../domain/types';
import { defaultCatalogue, InvalidParamsError } from '../../operations/catalogue';
import { timeBoundPolicy } from '../../operations/session-time';
import type { IamPolicyDocument, IamStatement } from '../../operations/types';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { memoryAuditLog } from './audit';
import { failureOf } from './failures';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy';
import { requiredEnv, TEST_REGION, testAwsSettings } from './test-aws';

/*
 * `aws.call` through the preview and execute activities on the shared moto, with STS AssumeRole
 * for each step and a recording proxy in front of moto that shows each session policy STS was
 * asked for. The aws-call-<service> integration tests share it.
 */

/** The InvalidParamsError `Catalogue.resolve` throws for these `aws.call` params (the API's check), or a test failure. */
export function resolveRefusal(params: JsonObject): InvalidParamsError {
  try {
    defaultCatalogue().resolve('aws.call', params);
  } catch (err) {
    if (err instanceof InvalidParamsError) return err;
    throw err;
  }
  throw new Error('expected aws.call to refuse these params');
}

/**
 * These params are refused as the API refuses them (the InvalidParamsError's message is returned),
 * and the preview activity fails InvalidParams, not retried, before asking STS for anything.
 */
export async function refusedBeforeAnyCredential(aws: AwsCallHarness, params: JsonObject): Promise<string> {
  const { message } = resolveRefusal(params);
  const before = aws.assumeRoleCount();
  const failure = await failureOf(aws.preview(params));
  expect(failure).toMatchObject({ type: 'InvalidParams', nonRetryable: true });
  expect(aws.assumeRoleCount()).toBe(before);
  return message;
}

/** A resource name no other test uses. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** The session policy STS was sent for this step of the action is exactly these statements, bounded in time. */
export function expectSessionPolicy(aws: AwsCallHarness, actionId: string, purpose: 'preview' | 'execute', statements: IamStatement[]): void {
  const { policy, bound } = aws.sessionPolicy(actionId, purpose);
  expect(policy).toEqual(timeBoundPolicy({ Version: '2012-10-17', Statement: statements }, bound));
}

/** A session policy as sent to STS, and the `aws:CurrentTime` bound its first statement carries. */
export interface SentPolicy {
  policy: IamPolicyDocument;
  bound: Date;
}

export interface AwsCallHarness {
  proxy: RecordingProxy;
  /** moto's account, by STS GetCallerIdentity. */
  account: string;
  /** Direct client settings for arranging and checking moto (not through the proxy). */
  moto: { region: string; endpoint: string; credentials: typeof MOTO_BASE_CREDENTIALS };
  /** `aws.call` params in the test region and moto's account. */
  params(service: string, operation: string, input: JsonObject): JsonObject;
  preview(params: JsonObject): Promise<{ actionId: string; preview: OperationPreview }>;
  /** The preview, then the execution input bound to its preconditions, as the workflow runs them. */
  previewed(params: JsonObject): Promise<{ input: ExecuteOperationInput; preview: OperationPreview }>;
  execute(input: ExecuteOperationInput): Promise<ExecutionResult>;
  /** The AssumeRole `Policy` sent for this action's `preview` or `execute` session. */
  sessionPolicy(actionId: string, purpose: 'preview' | 'execute'): SentPolicy;
  /** AssumeRole requests so far. */
  assumeRoleCount(): number;
  stop(): Promise<void>;
}

function assumeRoleForms(proxy: RecordingProxy): URLSearchParams[] {
  return proxy
    .exchanges()
    .map((exchange) => new URLSearchParams(exchange.requestBody))
    .filter((form) => form.get('Action') === 'AssumeRole');
}

export async function startAwsCallHarness(): Promise<AwsCallHarness> {
  const endpoint = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  const moto = { region: TEST_REGION, endpoint, credentials: MOTO_BASE_CREDENTIALS };
  const sts = new STSClient(moto);
  let account: string;
  try {
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  } finally {
    sts.destroy();
  }
  const proxy = await startRecordingProxy(endpoint);
  const deps = { catalogue: defaultCatalogue(), aws: testAwsSettings(proxy.endpoint), audit: memoryAuditLog() };
  const activities = { ...createExecuteActivities(deps), ...createPreviewActivities(deps) };
  const requester = { id: 'ops-bot', source: 'api' as const };

  const preview = async (params: JsonObject) => {
    const actionId = `action-aws.call-${randomUUID().slice(0, 12)}`;
    return { actionId, preview: await activities.previewOperation({ actionId, action: 'aws.call', params, requester }) };
  };

  return {
    proxy,
    account,
    moto,
    params: (service, operation, input) => ({ service, operation, input, accountId: account, region: TEST_REGION }),
    preview,
    async previewed(params) {
      const { actionId, preview: previewed } = await preview(params);
      const input: ExecuteOperationInput = {
        actionId,
        action: 'aws.call',
        params,
        requester,
        approvers: ['alice'],
        ...(previewed.preconditions ? { preconditions: previewed.preconditions } : {}),
      };
      return { input, preview: previewed };
    },
    execute(input) {
      // Each call is its own activity, as in a workflow (the credential's audit event id names it).
      // Quiet: a test asserts on the failure it expects, not on the activity's log lines.
      const logger = new DefaultLogger('ERROR', () => undefined);
      return new MockActivityEnvironment({ activityId: input.actionId, attempt: 1 }, { logger }).run(activities.executeOperation, input);
    },
    sessionPolicy(actionId, purpose) {
      const session = purpose === 'execute' ? actionId : `${actionId}.preview`;
      const forms = assumeRoleForms(proxy).filter((form) => form.get('RoleSessionName') === session);
      if (forms.length !== 1) throw new Error(`expected one AssumeRole for session ${session}, found ${forms.length}`);
      const policy = JSON.parse(forms[0]?.get('Policy') ?? '{}') as IamPolicyDocument;
      const time = policy.Statement[0]?.Condition?.DateLessThan?.['aws:CurrentTime'];
      if (typeof time !== 'string') throw new Error(`session ${session}: the first statement has no aws:CurrentTime bound`);
      return { policy, bound: new Date(time) };
    },
    assumeRoleCount: () => assumeRoleForms(proxy).length,
    stop: () => proxy.stop(),
  };
}
