import { randomUUID } from 'node:crypto';
import {
  CreatePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  GetRolePolicyCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
  PutRolePolicyCommand,
  UpdateAssumeRolePolicyCommand,
} from '@aws-sdk/client-iam';
import { readPolicyDocument } from '../../operations/iam-policy-document';
import { timeBoundPolicy } from '../../operations/session-time';
import type { IamStatement } from '../../operations/types';
import { refusedBeforeAnyCredential, startAwsCallHarness, type AwsCallHarness } from '../support/aws-call-harness';
import { failureOf } from '../support/failures';
import { executorTrustPolicy } from '../support/seed-aws';

// aws.call IAM through the preview and execute activities, STS and moto: the inline policy hook
// (PutRolePolicy) and the role hook (AttachRolePolicy, DeleteRole, UpdateAssumeRolePolicy) of
// operations/aws-call/hooks/iam.ts, the derived policies, the refusal of an input that names no
// role, and the binding to the inline policy and the trust policy as previewed.

let aws: AwsCallHarness;
let iam: IAMClient;

beforeAll(async () => {
  aws = await startAwsCallHarness();
  iam = new IAMClient(aws.moto);
});

afterAll(async () => {
  iam?.destroy();
  await aws?.stop();
});

const readReports = { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] }] };

async function createRole(): Promise<string> {
  const roleName = `aws-call-${randomUUID().slice(0, 8)}`;
  await iam.send(
    new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(executorTrustPolicy('arn:aws:iam::123456789012:root')) }),
  );
  return roleName;
}

async function putInline(roleName: string, document: object): Promise<void> {
  await iam.send(new PutRolePolicyCommand({ RoleName: roleName, PolicyName: 'reports', PolicyDocument: JSON.stringify(document) }));
}

async function inline(roleName: string): Promise<unknown> {
  return readPolicyDocument((await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'reports' }))).PolicyDocument ?? '');
}

function roleArn(roleName: string): string {
  return `arn:aws:iam::123456789012:role/${roleName}`;
}

it("moto's account is the one the expected ARNs spell out", () => {
  expect(aws.account).toBe('123456789012');
});

describe('inline policies: PutRolePolicy, DeleteRolePolicy', () => {
  const widened = {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: ['arn:aws:s3:::reports/*'] },
      { Sid: 'Pass', Effect: 'Allow', Action: ['iam:PassRole'], Resource: ['*'] },
    ],
  };

  it('previews the diff and its widening, puts the policy under the derived policy', async () => {
    const roleName = await createRole();
    await putInline(roleName, readReports);

    const params = aws.params('iam', 'PutRolePolicy', { RoleName: roleName, PolicyName: 'reports', PolicyDocument: JSON.stringify(widened) });
    const { input, preview } = await aws.previewed(params);
    expect(preview.facts).toMatchObject({
      accessLevel: 'Permissions management',
      resource: roleArn(roleName),
      policyExists: true,
      currentStatements: 1,
      statements: 2,
      addedStatements: 1,
      removedStatements: 0,
      changedStatements: 1,
      addedActions: 2,
      widensAccess: true,
      wildcardAction: false,
      wildcardResource: true,
    });
    expect(preview.notes).toContain(`replaces inline policy "reports" of role ${roleName} (1 statement)`);
    expect(preview.notes).toContain('actions new to this policy: iam:PassRole, s3:PutObject');
    expect(preview.warnings).toEqual(
      expect.arrayContaining([
        'widens access: statement "Read" now allows more: actions +s3:PutObject',
        expect.stringMatching(/^widens access: adds Allow iam:PassRole on \* \(statement "Pass"\)$/),
        'statement "Pass" applies to every resource (*)',
        expect.stringMatching(/^statement "Pass" grants iam:PassRole on \*: /),
      ]),
    );

    await aws.execute(input);
    expect(await inline(roleName)).toEqual(widened);

    const read: IamStatement = { Effect: 'Allow', Action: ['iam:GetRolePolicy'], Resource: [roleArn(roleName)] };
    const previewSession = aws.sessionPolicy(input.actionId, 'preview');
    expect(previewSession.policy).toEqual(timeBoundPolicy({ Version: '2012-10-17', Statement: [read] }, previewSession.bound));
    const executeSession = aws.sessionPolicy(input.actionId, 'execute');
    expect(executeSession.policy).toEqual(
      timeBoundPolicy(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:PutRolePolicy'], Resource: [roleArn(roleName)] }, read] },
        executeSession.bound,
      ),
    );
  });

  it('an inline policy changed after the preview fails the execution precondition_failed, and the change stays', async () => {
    const roleName = await createRole();
    await putInline(roleName, readReports);
    const { input } = await aws.previewed(
      aws.params('iam', 'PutRolePolicy', { RoleName: roleName, PolicyName: 'reports', PolicyDocument: JSON.stringify(widened) }),
    );
    const meanwhile = { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['s3:*'], Resource: ['*'] }] };
    await putInline(roleName, meanwhile);

    const failure = await failureOf(aws.execute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(await inline(roleName)).toEqual(meanwhile);
  });

  it('DeleteRolePolicy: removing a Deny is a widening; the policy is deleted', async () => {
    const roleName = await createRole();
    await putInline(roleName, { Version: '2012-10-17', Statement: [{ Sid: 'NoDeletes', Effect: 'Deny', Action: ['s3:DeleteObject'], Resource: ['*'] }] });

    const { input, preview } = await aws.previewed(aws.params('iam', 'DeleteRolePolicy', { RoleName: roleName, PolicyName: 'reports' }));
    expect(preview.facts).toMatchObject({ policyExists: true, currentStatements: 1, statements: 0, removedStatements: 1, widensAccess: true });
    expect(preview.notes).toContain(`deletes inline policy "reports" of role ${roleName} (1 statement): everything it allowed and denied goes with it`);
    expect(preview.warnings).toEqual(['widens access: no longer denies s3:DeleteObject on * (statement "NoDeletes")']);

    await aws.execute(input);
    await expect(inline(roleName)).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect(aws.sessionPolicy(input.actionId, 'execute').policy.Statement.map((statement) => statement.Action)).toEqual([
      ['iam:DeleteRolePolicy'],
      ['iam:GetRolePolicy'],
    ]);
  });

  it('refuses a PutRolePolicy that names no role: at resolve, and in the preview before any AssumeRole', async () => {
    const params = aws.params('iam', 'PutRolePolicy', { PolicyName: 'reports', PolicyDocument: JSON.stringify(readReports) });
    expect(await refusedBeforeAnyCredential(aws, params)).toMatch(
      /params\.input: no least-privilege session policy: iam:PutRolePolicy needs a role .*input\.RoleName or input\.Role, which the input does not have/,
    );
  });
});

describe('calls on the role', () => {
  it('AttachRolePolicy: previews the role and its attachments, attaches the policy; not bound', async () => {
    const roleName = await createRole();
    const policyArn =
      (await iam.send(new CreatePolicyCommand({ PolicyName: `aws-call-${randomUUID().slice(0, 8)}`, PolicyDocument: JSON.stringify(readReports) }))).Policy
        ?.Arn ?? '';
    const created = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.CreateDate?.toISOString();

    const { input, preview } = await aws.previewed(aws.params('iam', 'AttachRolePolicy', { RoleName: roleName, PolicyArn: policyArn }));
    expect(preview.facts).toMatchObject({
      roleExists: true,
      roleArn: roleArn(roleName),
      rolePath: '/',
      roleCreated: created,
      attachedPolicies: 0,
      policyAttached: false,
    });
    expect(preview.notes).toContain(`attaches ${policyArn} to role ${roleName}`);
    expect(input.preconditions).toEqual({ targetSha256: null });

    await aws.execute(input);
    const attached = (await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: roleName }))).AttachedPolicies ?? [];
    expect(attached.map((policy) => policy.PolicyArn)).toEqual([policyArn]);

    const previewSession = aws.sessionPolicy(input.actionId, 'preview');
    expect(previewSession.policy).toEqual(
      timeBoundPolicy(
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['iam:GetRole'], Resource: [roleArn(roleName)] },
            { Effect: 'Allow', Action: ['iam:ListAttachedRolePolicies'], Resource: [roleArn(roleName)] },
          ],
        },
        previewSession.bound,
      ),
    );
    const executeSession = aws.sessionPolicy(input.actionId, 'execute');
    expect(executeSession.policy).toEqual(
      timeBoundPolicy(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['iam:AttachRolePolicy'], Resource: [roleArn(roleName)] }] },
        executeSession.bound,
      ),
    );
  });

  it('DeleteRole: warns that IAM refuses to delete a role that still has policies', async () => {
    const roleName = await createRole();
    await putInline(roleName, readReports);
    const { preview } = await aws.preview(aws.params('iam', 'DeleteRole', { RoleName: roleName }));
    expect(preview.facts).toMatchObject({ roleExists: true, attachedPolicies: 0, inlinePolicies: 1 });
    expect(preview.warnings).toContain(`role ${roleName} has 0 attached and 1 inline policies: IAM refuses to delete a role that has any (DeleteConflict)`);
  });

  it('UpdateAssumeRolePolicy: warns when anyone may assume the role; a trust policy changed after the preview fails precondition_failed', async () => {
    const roleName = await createRole();
    const open = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }] };
    const { input, preview } = await aws.previewed(aws.params('iam', 'UpdateAssumeRolePolicy', { RoleName: roleName, PolicyDocument: JSON.stringify(open) }));
    expect(preview.facts).toMatchObject({ trustGrantsEveryone: true, addedStatements: 1, removedStatements: 1, currentTrustStatements: 1 });
    expect(preview.warnings).toContain('the new trust policy lets any principal assume the role (Principal "*" with no condition that limits who)');

    const meanwhile = executorTrustPolicy('arn:aws:iam::123456789012:role/someone-else');
    await iam.send(new UpdateAssumeRolePolicyCommand({ RoleName: roleName, PolicyDocument: JSON.stringify(meanwhile) }));
    const failure = await failureOf(aws.execute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    const trust = (await iam.send(new GetRoleCommand({ RoleName: roleName }))).Role?.AssumeRolePolicyDocument ?? '';
    expect(JSON.parse(trust.startsWith('{') ? trust : decodeURIComponent(trust))).toEqual(meanwhile);
    expect(aws.sessionPolicy(input.actionId, 'execute').policy.Statement.map((statement) => statement.Action)).toEqual([
      ['iam:UpdateAssumeRolePolicy'],
      ['iam:GetRole'],
    ]);
  });
});
