import { randomUUID } from 'node:crypto';
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { defaultCatalogue } from '../../operations/catalogue';
import { iamAttachRolePolicy } from '../../operations/iam-attach-role-policy';
import { iamDetachRolePolicy } from '../../operations/iam-detach-role-policy';
import { iamPutRolePolicy, putRolePolicyParams } from '../../operations/iam-put-role-policy';
import { readPolicyDocument } from '../../operations/policy-diff';
import type { OperationContext } from '../../operations/types';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { executorTrustPolicy } from '../support/seed-aws';
import { requiredEnv, TEST_REGION } from '../support/test-aws';

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
  context = { actionId: 'action-iam-it', region: TEST_REGION, partition: 'aws', endpoint, credentials: MOTO_BASE_CREDENTIALS };
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

    const outcome = await iamPutRolePolicy.execute(params, context);
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

    await iamPutRolePolicy.execute(wider, context);
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

  test('a role that does not exist fails the preview and the put with NoSuchEntity', async () => {
    const params = putRolePolicyParams.parse({ accountId: account, roleName: unique('airlock-missing'), policyName: 'p', policyDocument: readReports });
    await expect(iamPutRolePolicy.preview(params, context)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(iamPutRolePolicy.execute(params, context)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
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

    expect(await iamAttachRolePolicy.execute(attachment, context)).toEqual({
      summary: `attach ${policyArn} to IAM role ${roleName} in account ${account}`,
      outputs: { roleArn: `arn:aws:iam::${account}:role/${roleName}`, policyArn },
    });
    expect(await attachedArns(roleName)).toEqual([policyArn]);

    const afterAttach = await iamAttachRolePolicy.preview(attachment, context);
    expect(afterAttach.facts).toMatchObject({ alreadyAttached: true, attachmentCount: 1, widensAccess: false });
    expect(afterAttach.warnings).toEqual([]);
    // Attaching again succeeds and leaves one attachment.
    await iamAttachRolePolicy.execute(attachment, context);
    expect(await attachedArns(roleName)).toEqual([policyArn]);

    const beforeDetach = await iamDetachRolePolicy.preview(attachment, context);
    expect(beforeDetach.facts).toMatchObject({ alreadyAttached: true, wildcardAction: false, wildcardResource: true, widensAccess: true });
    expect(beforeDetach.notes).toContain('no longer grants: Allow s3:GetObject on arn:aws:s3:::airlock-src/* ("Read")');
    expect(beforeDetach.warnings).toEqual(['widens access: no longer denies s3:DeleteObject on * (statement "NoDelete")']);

    expect(await iamDetachRolePolicy.execute(attachment, context)).toEqual({
      summary: `detach ${policyArn} from IAM role ${roleName} in account ${account}`,
      outputs: { roleArn: `arn:aws:iam::${account}:role/${roleName}`, policyArn, detached: true },
    });
    expect(await attachedArns(roleName)).toEqual([]);

    // IAM answers NoSuchEntity for a policy that is not attached; the operation reports it as done.
    expect(await iamDetachRolePolicy.execute(attachment, context)).toEqual({
      summary: `detach ${policyArn} from IAM role ${roleName} in account ${account}: it was not attached`,
      outputs: { roleArn: `arn:aws:iam::${account}:role/${roleName}`, policyArn, detached: false },
    });
    const afterDetach = await iamDetachRolePolicy.preview(attachment, context);
    expect(afterDetach.facts).toMatchObject({ alreadyAttached: false, widensAccess: false });
  });

  test('a policy that does not exist fails the preview and the attach with NoSuchEntity', async () => {
    const roleName = await createRole();
    const params = iamAttachRolePolicy.params.parse({ accountId: account, roleName, policyArn: `arn:aws:iam::${account}:policy/${unique('none')}` });
    await expect(iamAttachRolePolicy.preview(params, context)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    await expect(iamAttachRolePolicy.execute(params, context)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect(await attachedArns(roleName)).toEqual([]);
  });
});
