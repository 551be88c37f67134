import { iamAttachRolePolicy, previewAttachRolePolicy } from '../../../../operations/iam/attach-role-policy';
import { parsePolicyArn, rolePolicyAttachmentParams, type RolePolicyAttachmentParams } from '../../../../operations/iam/attachment';
import { iamDetachRolePolicy, previewDetachRolePolicy } from '../../../../operations/iam/detach-role-policy';
import { type IamSender } from '../../../../operations/iam/role';
import { timeBoundPolicy } from '../../../../operations/session-time';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText } from '../../../../operations/types';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/ci-deployer';
const POLICY_ARN = 'arn:aws:iam::111122223333:policy/team/read-reports';

const good: RolePolicyAttachmentParams = { accountId: '111122223333', roleName: 'ci-deployer', policyArn: POLICY_ARN };

function refusals(params: unknown): string[] {
  const result = rolePolicyAttachmentParams.safeParse(params);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

/** A stand-in for IAM: answers each command by its class name, throws what a handler throws. */
function fakeIam(handlers: { [command: string]: (input: Record<string, unknown>) => unknown }): {
  iam: IamSender;
  calls: { name: string; input: Record<string, unknown> }[];
} {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    calls.push({ name, input: command.input });
    const handler = handlers[name];
    if (!handler) throw new Error(`unexpected ${name}`);
    return handler(command.input);
  };
  // The SDK's overloaded `send` cannot be written as one function type; the fake honours the calls used.
  return { iam: { send } as unknown as IamSender, calls };
}

const readDocument = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::reports/q3.csv' },
    { Sid: 'NoDelete', Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' },
  ],
};

/** IAM answering for a policy with `document` and a role with `attached` policies, over two pages. */
function iamWith(document: object, attached: string[], extra: { attachmentCount?: number; isAttachable?: boolean } = {}) {
  return fakeIam({
    GetPolicyCommand: (input) => ({
      Policy: {
        PolicyName: 'read-reports',
        Arn: input.PolicyArn,
        DefaultVersionId: 'v3',
        ...(extra.attachmentCount !== undefined ? { AttachmentCount: extra.attachmentCount } : {}),
        IsAttachable: extra.isAttachable ?? true,
      },
    }),
    GetPolicyVersionCommand: () => ({ PolicyVersion: { VersionId: 'v3', IsDefaultVersion: true, Document: encodeURIComponent(JSON.stringify(document)) } }),
    ListAttachedRolePoliciesCommand: (input) =>
      input.Marker === undefined
        ? { AttachedPolicies: [{ PolicyName: 'other', PolicyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }], IsTruncated: true, Marker: 'page2' }
        : { AttachedPolicies: attached.map((arn) => ({ PolicyArn: arn })), IsTruncated: false },
  });
}

describe('attach/detach params', () => {
  test.each([
    ['a customer managed policy with a path', good],
    ['a customer managed policy without a path', { ...good, policyArn: 'arn:aws:iam::111122223333:policy/read-reports' }],
    ['an AWS managed policy', { ...good, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' }],
    ['an AWS managed policy with a path', { ...good, policyArn: 'arn:aws:iam::aws:policy/job-function/ViewOnlyAccess' }],
    ['another partition', { ...good, policyArn: 'arn:aws-cn:iam::aws:policy/ReadOnlyAccess' }],
    ['a role path', { ...good, rolePath: '/service-role/' }],
  ])('accepts %s', (_name, params) => {
    expect(refusals(params)).toEqual([]);
  });

  test.each([
    ['`*` in the policy ARN', { policyArn: 'arn:aws:iam::111122223333:policy/*' }, 'policyArn: policy ARN must not contain "*"'],
    ['`?` in the policy ARN', { policyArn: 'arn:aws:iam::111122223333:policy/read-?' }, 'policyArn: policy ARN must not contain "?"'],
    ['a policy variable in the policy ARN', { policyArn: 'arn:aws:iam::111122223333:policy/${aws:username}' }, 'policyArn: policy ARN must not contain "${"'],
    ['a wildcard account in the policy ARN', { policyArn: 'arn:aws:iam::*:policy/x' }, 'policyArn: policy ARN must not contain "*"'],
    ['a role ARN', { policyArn: ROLE_ARN }, 'policyArn: policy ARN must look like'],
    ['a policy name', { policyArn: 'read-reports' }, 'policyArn: policy ARN must look like'],
    ['an S3 ARN', { policyArn: 'arn:aws:s3:::reports' }, 'policyArn: policy ARN must look like'],
    ['a region in the policy ARN', { policyArn: 'arn:aws:iam:us-east-1:111122223333:policy/x' }, 'policyArn: policy ARN must look like'],
    ['an empty-segment path', { policyArn: 'arn:aws:iam::111122223333:policy/a//x' }, 'policyArn: policy ARN path must not contain an empty segment'],
    ['a partition that is not one', { policyArn: 'arn:AWS:iam::aws:policy/x' }, 'policyArn: policy ARN must look like'],
    [
      'a policy of another account',
      { policyArn: 'arn:aws:iam::444455556666:policy/x' },
      "policyArn: policy ARN must name an AWS managed policy or a policy of the role's own account",
    ],
    ['`*` in the role name', { roleName: '*' }, 'roleName: role name must not contain "*"'],
    ['a role ARN as role name', { roleName: ROLE_ARN }, 'roleName: role name may contain only'],
    ['a bad account id', { accountId: '1111-2222-3333' }, 'accountId: account id must be exactly 12 digits'],
    ['a path with a wildcard', { rolePath: '/*/' }, 'rolePath: path must not contain "*"'],
  ])('refuses %s', (_name, change, expected) => {
    const messages = refusals({ ...good, ...change });
    expect(messages.some((message) => message.startsWith(expected))).toBe(true);
  });

  test('refuses extra fields', () => {
    expect(refusals({ ...good, policyName: 'x' })).toEqual([': Unrecognized key: "policyName"']);
  });

  test('parsePolicyArn splits an ARN into its parts', () => {
    expect(parsePolicyArn('arn:aws:iam::aws:policy/job-function/ViewOnlyAccess')).toEqual({
      partition: 'aws',
      account: 'aws',
      path: '/job-function/',
      name: 'ViewOnlyAccess',
    });
    expect(parsePolicyArn(POLICY_ARN)).toEqual({ partition: 'aws', account: '111122223333', path: '/team/', name: 'read-reports' });
    expect(parsePolicyArn('arn:aws:iam::111122223333:policy/')).toBeUndefined();
  });
});

describe.each([
  ['iam.attachRolePolicy', iamAttachRolePolicy, 'iam:AttachRolePolicy'],
  ['iam.detachRolePolicy', iamDetachRolePolicy, 'iam:DetachRolePolicy'],
])('%s policies', (name, operation, action) => {
  test('the session policy is the one action on the role for the named policy only, and the reads that check the preconditions', () => {
    expect(operation.name).toBe(name);
    expect(operation.sessionPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [action],
          Resource: ['arn:aws:iam::111122223333:role/ci-deployer'],
          Condition: { ArnEquals: { 'iam:PolicyARN': ['arn:aws:iam::111122223333:policy/team/read-reports'] } },
        },
        { Effect: 'Allow', Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'], Resource: ['arn:aws:iam::111122223333:policy/team/read-reports'] },
        { Effect: 'Allow', Action: ['iam:ListAttachedRolePolicies'], Resource: ['arn:aws:iam::111122223333:role/ci-deployer'] },
      ],
    });
  });

  test('the preview policy reads the policy and lists the role, nothing else', () => {
    expect(operation.previewPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'], Resource: ['arn:aws:iam::111122223333:policy/team/read-reports'] },
        { Effect: 'Allow', Action: ['iam:ListAttachedRolePolicies'], Resource: ['arn:aws:iam::111122223333:role/ci-deployer'] },
      ],
    });
  });

  test('AWS managed policies, role paths and other partitions', () => {
    const params = rolePolicyAttachmentParams.parse({
      ...good,
      rolePath: '/service-role/',
      policyArn: 'arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess',
    });
    expect(operation.sessionPolicy(params, 'aws-us-gov')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: [action],
          Resource: ['arn:aws-us-gov:iam::111122223333:role/service-role/ci-deployer'],
          Condition: { ArnEquals: { 'iam:PolicyARN': ['arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess'] } },
        },
        { Effect: 'Allow', Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'], Resource: ['arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess'] },
        { Effect: 'Allow', Action: ['iam:ListAttachedRolePolicies'], Resource: ['arn:aws-us-gov:iam::111122223333:role/service-role/ci-deployer'] },
      ],
    });
    expect(operation.previewPolicy(params, 'aws-us-gov')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:GetPolicy', 'iam:GetPolicyVersion'], Resource: ['arn:aws-us-gov:iam::aws:policy/job-function/ViewOnlyAccess'] },
        { Effect: 'Allow', Action: ['iam:ListAttachedRolePolicies'], Resource: ['arn:aws-us-gov:iam::111122223333:role/service-role/ci-deployer'] },
      ],
    });
  });

  test('refuses a policy ARN of another partition than the worker, and a bad partition', () => {
    expect(() => operation.sessionPolicy(good, 'aws-cn')).toThrow('policy ARN arn:aws:iam::111122223333:policy/team/read-reports is not in partition "aws-cn"');
    expect(() => operation.previewPolicy(good, 'aws-cn')).toThrow(/is not in partition/);
    expect(() => operation.sessionPolicy({ ...good, policyArn: 'arn:*:iam::aws:policy/x' }, '*')).toThrow(/invalid AWS partition|not in partition/);
  });

  test('no wildcard anywhere, and names as long as the schema accepts fit STS with the time bound', () => {
    // A role path and a policy path of 512 characters each would not fit together: the longest
    // accepted combination is found by growing the policy path until the schema refuses it.
    const withPolicyPath = (length: number) => ({
      ...good,
      roleName: 'r'.repeat(64),
      rolePath: `/${'p'.repeat(300)}/`,
      policyArn: `arn:aws-us-gov:iam::111122223333:policy/${'q'.repeat(length)}/${'n'.repeat(128)}`,
    });
    let longest = 0;
    while (rolePolicyAttachmentParams.safeParse(withPolicyPath(longest + 1)).success) longest += 1;
    expect(longest).toBeGreaterThan(100);
    expect(refusals(withPolicyPath(longest + 1))).toEqual([expect.stringContaining('2048-character STS limit')]);
    const params = rolePolicyAttachmentParams.parse(withPolicyPath(longest));
    for (const policy of [operation.sessionPolicy(params, 'aws-us-gov'), operation.previewPolicy(params, 'aws-us-gov')]) {
      const text = sessionPolicyText(timeBoundPolicy(policy, new Date('2026-11-30T12:00:00Z')));
      expect(text.length).toBeLessThanOrEqual(MAX_SESSION_POLICY_CHARS);
      expect(text).not.toMatch(/[*?]|\$\{/);
      expect(policy.Statement.every((s) => s.Effect === 'Allow')).toBe(true);
    }
  });

  test('is idempotent', () => {
    expect(operation.idempotent).toBe(true);
  });
});

describe('summaries', () => {
  test('say exactly what will happen', () => {
    expect(iamAttachRolePolicy.summarize(good)).toBe(`attach ${POLICY_ARN} to IAM role ci-deployer in account 111122223333`);
    expect(iamDetachRolePolicy.summarize({ ...good, rolePath: '/ci/' })).toBe(`detach ${POLICY_ARN} from IAM role /ci/ci-deployer in account 111122223333`);
  });
});

describe('iam.attachRolePolicy preview', () => {
  test('not attached: what it grants, widening, facts', async () => {
    const { iam, calls } = iamWith(readDocument, [], { attachmentCount: 2 });
    const preview = await previewAttachRolePolicy(good, iam, 'aws');
    expect(calls.map((call) => call.name)).toEqual([
      'GetPolicyCommand',
      'GetPolicyVersionCommand',
      'ListAttachedRolePoliciesCommand',
      'ListAttachedRolePoliciesCommand',
    ]);
    expect(calls[1]?.input).toEqual({ PolicyArn: POLICY_ARN, VersionId: 'v3' });
    expect(calls[3]?.input).toEqual({ RoleName: 'ci-deployer', Marker: 'page2' });
    expect(preview.facts).toEqual({ alreadyAttached: false, attachmentCount: 2, wildcardAction: false, wildcardResource: false, widensAccess: true });
    expect(preview.notes).toEqual([
      `attaches ${POLICY_ARN} read-reports (v3, attached to 2 entities) to ${ROLE_ARN}, which has 1 managed policy attached`,
      'grants: Allow s3:GetObject on arn:aws:s3:::reports/q3.csv ("Read")',
      'grants: Deny s3:DeleteObject on * ("NoDelete")',
    ]);
    expect(preview.warnings).toEqual(['widens access: adds Allow s3:GetObject on arn:aws:s3:::reports/q3.csv (statement "Read")']);
    expect(preview.detail).toContain('+ statement "NoDelete":');
  });

  test('already attached (found on the second page): nothing changes', async () => {
    const { iam } = iamWith(readDocument, [POLICY_ARN], { attachmentCount: 1 });
    const preview = await previewAttachRolePolicy(good, iam, 'aws');
    expect(preview.facts).toEqual({ alreadyAttached: true, attachmentCount: 1, wildcardAction: false, wildcardResource: false, widensAccess: false });
    expect(preview.notes).toEqual([`${POLICY_ARN} is already attached to ${ROLE_ARN}: attaching it again changes nothing`]);
    expect(preview.warnings).toEqual([]);
  });

  test('an administrator policy: wildcard facts and warnings; no attachment count when IAM gives none', async () => {
    const admin = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const { iam } = iamWith(admin, []);
    const preview = await previewAttachRolePolicy({ ...good, policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }, iam, 'aws');
    expect(preview.facts).toEqual({ alreadyAttached: false, wildcardAction: true, wildcardResource: true, widensAccess: true });
    expect(preview.warnings).toEqual([
      'widens access: adds Allow * on * (statement #1)',
      'statement #1 grants wildcard actions * on *',
      'statement #1 applies to every resource (*)',
      'statement #1 grants iam:PassRole on *: it can hand roles to AWS services, a privilege-escalation path',
      'statement #1 grants sts:AssumeRole on *: it can assume other roles',
    ]);
  });

  test('a policy IAM will not attach is called out', async () => {
    const { iam } = iamWith(readDocument, [], { isAttachable: false });
    const preview = await previewAttachRolePolicy(good, iam, 'aws');
    expect(preview.warnings).toContain(`${POLICY_ARN} is not attachable: IAM will refuse to attach it`);
  });

  test('a missing policy fails the preview', async () => {
    const { iam } = fakeIam({
      GetPolicyCommand: () => {
        throw Object.assign(new Error('Policy not found'), { name: 'NoSuchEntityException' });
      },
    });
    await expect(previewAttachRolePolicy(good, iam, 'aws')).rejects.toMatchObject({ name: 'NoSuchEntityException' });
  });
});

describe('iam.detachRolePolicy preview', () => {
  test('attached: what goes away; removing its Deny widens', async () => {
    const { iam } = iamWith(readDocument, [POLICY_ARN], { attachmentCount: 1 });
    const preview = await previewDetachRolePolicy(good, iam, 'aws');
    expect(preview.facts).toEqual({ alreadyAttached: true, attachmentCount: 1, wildcardAction: false, wildcardResource: false, widensAccess: true });
    expect(preview.notes).toEqual([
      `detaches ${POLICY_ARN} read-reports (v3, attached to 1 entity) from ${ROLE_ARN}`,
      'no longer grants: Allow s3:GetObject on arn:aws:s3:::reports/q3.csv ("Read")',
      'other policies of the role may still grant some of this access',
    ]);
    expect(preview.warnings).toEqual(['widens access: no longer denies s3:DeleteObject on * (statement "NoDelete")']);
    expect(preview.detail).toContain('- statement "Read":');
  });

  test('an Allow-only policy: detaching does not widen', async () => {
    const { iam } = iamWith({ Version: '2012-10-17', Statement: [readDocument.Statement[0]] }, [POLICY_ARN]);
    const preview = await previewDetachRolePolicy(good, iam, 'aws');
    expect(preview.facts).toMatchObject({ alreadyAttached: true, widensAccess: false });
    expect(preview.warnings).toEqual([]);
  });

  test('not attached: nothing changes', async () => {
    const { iam } = iamWith(readDocument, []);
    const preview = await previewDetachRolePolicy(good, iam, 'aws');
    expect(preview.facts).toEqual({ alreadyAttached: false, wildcardAction: false, wildcardResource: false, widensAccess: false });
    expect(preview.notes).toEqual([`${POLICY_ARN} is not attached to ${ROLE_ARN}: detaching it changes nothing`]);
    expect(preview.warnings).toEqual([]);
  });
});
