import { randomUUID } from 'node:crypto';
import {
  AttachRolePolicyCommand,
  CreatePolicyCommand,
  CreatePolicyVersionCommand,
  CreateRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createExecuteActivities } from '../../activities/execute';
import { createPreviewActivities } from '../../activities/preview';
import { defaultCatalogue } from '../../operations/catalogue';
import { iamAttachRolePolicy } from '../../operations/iam/attach-role-policy';
import { iamDetachRolePolicy } from '../../operations/iam/detach-role-policy';
import { iamPutRolePolicy, putRolePolicyParams } from '../../operations/iam/put-role-policy';
import { readPolicyDocument } from '../../operations/iam-policy-document';
import type { OperationContext } from '../../operations/types';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import type { ExecutionResult, JsonObject } from '../../domain/types';
import { memoryAuditLog } from '../support/audit';
import { failureOf } from '../support/failures';
import { boundTo, directContext } from '../support/operation-context';
import { executorTrustPolicy } from '../support/seed-aws';
import { requiredEnv, testAwsSettings, TEST_REGION } from '../support/test-aws';

// The three IAM operations against the shared moto server, called directly with moto's base
// credentials (the one-shot STS session around them is the activities' job and tested there).
// Each test makes its own role (and policy) so tests stay independent.

let iam: IAMClient;
let context: OperationContext;
let account: string;

beforeAll(async () => {
  const endpoint = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  const common = { region: TEST_REGION, endpoint, credentials: MOTO_BASE_CREDENTIALS };
  iam = new IAMClient(common);
  const sts = new STSClient(common);
  try {
    account = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  } finally {
    sts.destroy();
  }
  context = directContext(endpoint, 'action-iam-it');
});

afterAll(() => {
  iam?.destroy();
});

function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

async function createRole(path = '/'): Promise<string> {
  const roleName = unique('airlock-iam-it');
  await iam.send(
    new CreateRoleCommand({ RoleName: roleName, Path: path, AssumeRolePolicyDocument: JSON.stringify(executorTrustPolicy(`arn:aws:iam::${account}:root`)) }),
  );
  return roleName;
}

async function inlinePolicy(roleName: string, policyName: string): Promise<unknown> {
  const response = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }));
  return readPolicyDocument(response.PolicyDocument ?? '');
}

async function attachedArns(roleName: string): Promise<string[]> {
  const response = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }));
  return (response.AttachedPolicies ?? []).map((policy) => policy.PolicyArn ?? '');
}

const readReports = {
  Version: '2012-10-17' as const,
  Statement: [{ Sid: 'Read', Effect: 'Allow' as const, Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::airlock-src/reports/*'] }],
};

describe('iam.putRolePolicy on moto', () => {
  test('preview, put, read back, and the diff of a second version', async () => {
    const roleName = await createRole();
    const params = putRolePolicyParams.parse({ accountId: account, roleName, policyName: 'read-reports', policyDocument: readReports });

    const before = await iamPutRolePolicy.preview(params, context);
    expect(before.facts).toEqual({ exists: false, addedActions: 1, removedActions: 0, widensAccess: true, wildcardAction: false, wildcardResource: true });
    expect(before.notes[0]).toBe(`creates inline policy "read-reports" on arn:aws:iam::${account}:role/${roleName} with 1 statement`);

    const outcome = await iamPutRolePolicy.execute(params, boundTo(iamPutRolePolicy, context, before));
    expect(outcome).toEqual({
      summary: `put inline policy "read-reports" (1 statement) on IAM role ${roleName} in account ${account}`,
      outputs: { roleArn: `arn:aws:iam::${account}:role/${roleName}`, policyName: 'read-reports', statements: 1 },
    });
    expect(await inlinePolicy(roleName, 'read-reports')).toEqual(readReports);

    // The same document again: the preview reads it back (URL-encoded by moto) and sees no change.
    const same = await iamPutRolePolicy.preview(params, context);
    expect(same.facts).toEqual({ exists: true, addedActions: 0, removedActions: 0, widensAccess: false, wildcardAction: false, wildcardResource: true });
    expect(same.detail).toBe('no change: the same 1 statement as now');
    expect(same.warnings).toEqual([]);

    // A second version that adds iam:PassRole on * and drops nothing.
    const wider = putRolePolicyParams.parse({
      ...params,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [
          { ...readReports.Statement[0], Action: ['s3:GetObject', 's3:PutObject'] },
          { Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
        ],
      },
    });
    const diff = await iamPutRolePolicy.preview(wider, context);
    expect(diff.facts).toEqual({ exists: true, addedActions: 2, removedActions: 0, widensAccess: true, wildcardAction: false, wildcardResource: true });
    expect(diff.warnings).toEqual([
      'widens access: statement "Read" now allows more: actions +s3:PutObject',
      'widens access: adds Allow iam:PassRole on * (statement "Pass")',
      'statement "Read" applies to wildcard resources arn:aws:s3:::airlock-src/reports/*',
      'statement "Pass" applies to every resource (*)',
      'statement "Pass" grants iam:PassRole on *: it can hand roles to AWS services, a privilege-escalation path',
    ]);
    expect(diff.detail).toContain('  +   Action s3:PutObject');
    expect(diff.detail).toContain('+ statement "Pass":');

    await iamPutRolePolicy.execute(wider, boundTo(iamPutRolePolicy, context, diff));
    expect(await inlinePolicy(roleName, 'read-reports')).toEqual(wider.policyDocument);
    const after = await iamPutRolePolicy.preview(wider, context);
    expect(after.facts).toMatchObject({ exists: true, widensAccess: false });
  });

  test('a role with a path: named with rolePath it matches; without, the preview warns', async () => {
    const roleName = await createRole('/team/ci/');
    const params = { accountId: account, roleName, policyName: 'p', policyDocument: readReports };
    const withPath = await iamPutRolePolicy.preview(putRolePolicyParams.parse({ ...params, rolePath: '/team/ci/' }), context);
    expect(withPath.warnings.some((warning) => warning.startsWith("the role's ARN"))).toBe(false);
    const withoutPath = await iamPutRolePolicy.preview(putRolePolicyParams.parse(params), context);
    expect(withoutPath.warnings[0]).toBe(
      `the role's ARN is arn:aws:iam::${account}:role/team/ci/${roleName}, not arn:aws:iam::${account}:role/${roleName}: the session policy names the latter, so the change would be denied`,
    );
  });

  test('a role that does not exist fails the preview, and the put (as if its preview had found no policy) with NoSuchEntity', async () => {
    const params = putRolePolicyParams.parse({ accountId: account, roleName: unique('airlock-missing'), policyName: 'p', policyDocument: readReports });
    await expect(iamPutRolePolicy.preview(params, context)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(iamPutRolePolicy.execute(params, { ...context, preconditions: { currentPolicySha256: null } })).rejects.toMatchObject({
      name: 'NoSuchEntityException',
    });
  });
});

describe('iam.attachRolePolicy and iam.detachRolePolicy on moto', () => {
  test('attach, attach again, detach, detach again: previews and read-backs at each step', async () => {
    const roleName = await createRole();
    const created = await iam.send(
      new CreatePolicyCommand({
        PolicyName: unique('airlock-read'),
        Path: '/airlock/',
        PolicyDocument: JSON.stringify({
          Version: '2012-10-17',
          Statement: [
            { Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::airlock-src/*' },
            { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
          ],
        }),
      }),
    );
    const policyArn = created.Policy?.Arn ?? '';
    expect(policyArn).toMatch(new RegExp(`^arn:aws:iam::${account}:policy/airlock/airlock-read-`));
    const catalogue = defaultCatalogue();
    const { params } = catalogue.resolve('iam.attachRolePolicy', { accountId: account, roleName, policyArn });
    const attachment = iamAttachRolePolicy.params.parse(params);

    const beforeAttach = await iamAttachRolePolicy.preview(attachment, context);
    expect(beforeAttach.facts).toEqual({ alreadyAttached: false, attachmentCount: 0, wildcardAction: false, wildcardResource: true, widensAccess: true });
    expect(beforeAttach.warnings[0]).toBe('widens access: adds Allow s3:GetObject on arn:aws:s3:::airlock-src/* (statement "Read")');
    expect(beforeAttach.notes).toContain('grants: Allow s3:GetObject on arn:aws:s3:::airlock-src/* ("Read")');

    expect(await iamAttachRolePolicy.execute(attachment, boundTo(iamAttachRolePolicy, context, beforeAttach))).toEqual({
      summary: `attach ${policyArn} to IAM role ${roleName} in account ${account}`,
      outputs: { roleArn: `arn:aws:iam::${account}:role/${roleName}`, policyArn },
    });
    expect(await attachedArns(roleName)).toEqual([policyArn]);

    const afterAttach = await iamAttachRolePolicy.preview(attachment, context);
    expect(afterAttach.facts).toMatchObject({ alreadyAttached: true, attachmentCount: 1, widensAccess: false });
    expect(afterAttach.warnings).toEqual([]);
    // Attaching again succeeds and leaves one attachment.
    await iamAttachRolePolicy.execute(attachment, boundTo(iamAttachRolePolicy, context, afterAttach));
    expect(await attachedArns(roleName)).toEqual([policyArn]);

    const beforeDetach = await iamDetachRolePolicy.preview(attachment, context);
    expect(beforeDetach.facts).toMatchObject({ alreadyAttached: true, wildcardAction: false, wildcardResource: true, widensAccess: true });
    expect(beforeDetach.notes).toContain('no longer grants: Allow s3:GetObject on arn:aws:s3:::airlock-src/* ("Read")');
    expect(beforeDetach.warnings).toEqual(['widens access: no longer denies s3:DeleteObject on * (statement "NoDelete")']);

    expect(await iamDetachRolePolicy.execute(attachment, boundTo(iamDetachRolePolicy, context, beforeDetach))).toEqual({
      summary: `detach ${policyArn} from IAM role ${roleName} in account ${account}`,
      outputs: { roleArn: `arn:aws:iam::${account}:role/${roleName}`, policyArn, detached: true },
    });
    expect(await attachedArns(roleName)).toEqual([]);

    // IAM answers NoSuchEntity for a policy that is not attached; the operation reports it as done.
    const notAttached = await iamDetachRolePolicy.preview(attachment, context);
    expect(await iamDetachRolePolicy.execute(attachment, boundTo(iamDetachRolePolicy, context, notAttached))).toEqual({
      summary: `detach ${policyArn} from IAM role ${roleName} in account ${account}: it was not attached`,
      outputs: { roleArn: `arn:aws:iam::${account}:role/${roleName}`, policyArn, detached: false },
    });
    const afterDetach = await iamDetachRolePolicy.preview(attachment, context);
    expect(afterDetach.facts).toMatchObject({ alreadyAttached: false, widensAccess: false });
  });

  test('a policy that does not exist fails the preview with NoSuchEntity', async () => {
    const roleName = await createRole();
    const params = iamAttachRolePolicy.params.parse({ accountId: account, roleName, policyArn: `arn:aws:iam::${account}:policy/${unique('none')}` });
    await expect(iamAttachRolePolicy.preview(params, context)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect(await attachedArns(roleName)).toEqual([]);
  });
});

/**
 * What was reviewed is what runs: each IAM operation previewed, the policy changed behind the
 * reviewers' backs, then executed through the activities (STS on moto, as a worker does). The
 * execution re-reads under its own session and fails `precondition_failed`, changing nothing.
 */
describe('IAM changes after the preview (swap tests, through the activities)', () => {
  let activities: ReturnType<typeof createExecuteActivities> & ReturnType<typeof createPreviewActivities>;
  let counter = 0;

  beforeAll(() => {
    const deps = { catalogue: defaultCatalogue(), aws: testAwsSettings(requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT')), audit: memoryAuditLog() };
    activities = { ...createExecuteActivities(deps), ...createPreviewActivities(deps) };
  });

  /** Previews `action`, lets `change` alter the world, then executes with the preview's preconditions. */
  async function previewChangeExecute(action: string, params: JsonObject, change: () => Promise<void>): Promise<ExecutionResult> {
    counter += 1;
    const request = { actionId: `action-${action}-swaptest${String(counter).padStart(7, '0')}`, action, params, requester: { id: 'ci-bot', source: 'api' } };
    const preview = await activities.previewOperation(request);
    expect(preview.preconditions).toBeDefined();
    await change();
    return activities.executeOperation({ ...request, approvers: ['alice'], ...(preview.preconditions ? { preconditions: preview.preconditions } : {}) });
  }

  async function createManagedPolicy(document: object): Promise<string> {
    const created = await iam.send(new CreatePolicyCommand({ PolicyName: unique('airlock-swap'), PolicyDocument: JSON.stringify(document) }));
    return created.Policy?.Arn ?? '';
  }

  const readAll = { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }] };

  test('iam.putRolePolicy: the inline policy replaced after the diff was computed', async () => {
    const roleName = await createRole();
    await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'read-reports', PolicyDocument: JSON.stringify(readReports) }));
    const proposed = { ...readReports, Statement: [{ ...readReports.Statement[0], Action: ['s3:GetObject', 's3:ListBucket'] }] };
    const executed = previewChangeExecute(
      'iam.putRolePolicy',
      { accountId: account, roleName, policyName: 'read-reports', policyDocument: proposed },
      async () => {
        await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'read-reports', PolicyDocument: JSON.stringify(readAll) }));
      },
    );
    const failure = await failureOf(executed);
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain(`inline policy "read-reports" of IAM role ${roleName} in account ${account} was replaced after the diff was computed`);
    expect(await inlinePolicy(roleName, 'read-reports')).toEqual(readAll); // not overwritten by what nobody compared it with
  });

  test('iam.putRolePolicy: an inline policy created after the preview found none', async () => {
    const roleName = await createRole();
    const executed = previewChangeExecute('iam.putRolePolicy', { accountId: account, roleName, policyName: 'p', policyDocument: readReports }, async () => {
      await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'p', PolicyDocument: JSON.stringify(readAll) }));
    });
    const failure = await failureOf(executed);
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain('did not exist when the diff was computed, and exists now; nothing was put');
    expect(await inlinePolicy(roleName, 'p')).toEqual(readAll);
  });

  test('iam.putRolePolicy: unchanged, the put runs', async () => {
    const roleName = await createRole();
    const result = await previewChangeExecute(
      'iam.putRolePolicy',
      { accountId: account, roleName, policyName: 'p', policyDocument: readReports },
      async () => undefined,
    );
    expect(result.outputs).toEqual({ roleArn: `arn:aws:iam::${account}:role/${roleName}`, policyName: 'p', statements: 1 });
    expect(await inlinePolicy(roleName, 'p')).toEqual(readReports);
  });

  test('iam.attachRolePolicy: the managed policy given a new default version after the preview', async () => {
    const roleName = await createRole();
    const policyArn = await createManagedPolicy(readReports);
    const executed = previewChangeExecute('iam.attachRolePolicy', { accountId: account, roleName, policyArn }, async () => {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: JSON.stringify(readAll), SetAsDefault: true }));
    });
    const failure = await failureOf(executed);
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain(`${policyArn} changed after the preview: its default version is v2, the preview read v1; nothing was changed`);
    expect(await attachedArns(roleName)).toEqual([]);
  });

  test('iam.detachRolePolicy: the managed policy given a new default version after the preview', async () => {
    const roleName = await createRole();
    const policyArn = await createManagedPolicy(readReports);
    await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
    const executed = previewChangeExecute('iam.detachRolePolicy', { accountId: account, roleName, policyArn }, async () => {
      await iam.send(new CreatePolicyVersionCommand({ PolicyArn: policyArn, PolicyDocument: JSON.stringify(readAll), SetAsDefault: true }));
    });
    const failure = await failureOf(executed);
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain('its default version is v2, the preview read v1');
    expect(await attachedArns(roleName)).toEqual([policyArn]);
  });

  test('iam.attachRolePolicy: the policy attached by someone else after the preview found it not attached', async () => {
    const roleName = await createRole();
    const policyArn = await createManagedPolicy(readReports);
    const executed = previewChangeExecute('iam.attachRolePolicy', { accountId: account, roleName, policyArn }, async () => {
      await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
    });
    const failure = await failureOf(executed);
    expect(failure).toMatchObject({ type: 'precondition_failed' });
    expect(failure.message).toContain('when previewed, and is now');
  });

  test.each([
    ['iam.putRolePolicy', false],
    ['iam.attachRolePolicy', false],
    ['iam.detachRolePolicy', true],
  ])('%s: a retry after a change that went through finds it applied, instead of taking its own change for a changed world', async (action, attachedFirst) => {
    const roleName = await createRole();
    const policyArn = await createManagedPolicy(readReports);
    if (attachedFirst) await iam.send(new AttachRolePolicyCommand({ RoleName: roleName, PolicyArn: policyArn }));
    const params: JsonObject =
      action === 'iam.putRolePolicy'
        ? { accountId: account, roleName, policyName: 'p', policyDocument: readReports }
        : { accountId: account, roleName, policyArn };
    counter += 1;
    const request = {
      actionId: `action-${action}-retrytest${String(counter).padStart(6, '0')}`,
      action,
      params,
      requester: { id: 'ci-bot', source: 'api' },
      approvers: ['alice'],
    };
    const preview = await activities.previewOperation(request);
    const input = { ...request, ...(preview.preconditions ? { preconditions: preview.preconditions } : {}) };
    await activities.executeOperation(input); // the change went through; say its reply was lost
    const retried: ExecutionResult = await new MockActivityEnvironment({ activityId: 'execute', attempt: 2 }).run(activities.executeOperation, input);
    expect(retried.outputs.alreadyApplied).toBe(true);
    expect(retried.session?.roleSessionName).toBe(`${request.actionId}.recheck`);
  });
});
