import { GetRoleCommand, GetRolePolicyCommand } from '@aws-sdk/client-iam';
import { iamPutRolePolicy, previewPutRolePolicy, putRolePolicyParams, type PutRolePolicyParams } from '../../../../operations/iam/put-role-policy';
import { iamRoleArn, type IamSender } from '../../../../operations/iam/role';
import { timeBoundPolicy } from '../../../../operations/session-time';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText, type IamPolicyDocument } from '../../../../operations/types';

const ROLE_ARN = 'arn:aws:iam::111122223333:role/ci-deployer';

const good: PutRolePolicyParams = {
  accountId: '111122223333',
  roleName: 'ci-deployer',
  policyName: 'read-reports',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] }],
  },
};

function refusals(params: unknown): string[] {
  const result = putRolePolicyParams.safeParse(params);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function everyActionAndResource(policy: IamPolicyDocument): string[] {
  return policy.Statement.flatMap((statement) => [...statement.Action, ...statement.Resource]);
}

/** A stand-in for IAM: answers each command by its class name, throws what a handler throws. */
function fakeIam(handlers: { [command: string]: (input: Record<string, unknown>) => unknown }): { iam: IamSender; calls: string[] } {
  const calls: string[] = [];
  const send = async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
    const name = command.constructor.name;
    calls.push(name);
    const handler = handlers[name];
    if (!handler) throw new Error(`unexpected ${name}`);
    return handler(command.input);
  };
  // The SDK's overloaded `send` cannot be written as one function type; the fake honours the calls used.
  return { iam: { send } as unknown as IamSender, calls };
}

function noSuchEntity(message: string): Error {
  return Object.assign(new Error(message), { name: 'NoSuchEntityException', $metadata: { httpStatusCode: 404 } });
}

const role = { Role: { RoleName: 'ci-deployer', Arn: ROLE_ARN, Path: '/' } };

describe('iam.putRolePolicy params', () => {
  test.each([
    ['a plain request', good],
    ['a role path', { ...good, rolePath: '/team/ci/' }],
    ['the root path written out', { ...good, rolePath: '/' }],
    ['role and policy names with every allowed punctuation', { ...good, roleName: 'a_b+c=d,e.f@g-h', policyName: 'p_+=,.@-' }],
    ['a 64-character role name and a 128-character policy name', { ...good, roleName: 'r'.repeat(64), policyName: 'p'.repeat(128) }],
    ['a `$` not followed by `{` in a path', { ...good, rolePath: '/cost$/' }],
  ])('accepts %s', (_name, params) => {
    expect(refusals(params)).toEqual([]);
  });

  test.each([
    ['`*` in the role name', { roleName: 'ci-*' }, 'roleName: role name must not contain "*"'],
    ['`?` in the role name', { roleName: 'ci-?' }, 'roleName: role name must not contain "?"'],
    ['a policy variable in the role name', { roleName: '${aws:username}' }, 'roleName: role name must not contain "${"'],
    ['a role ARN instead of a name', { roleName: ROLE_ARN }, 'roleName: role name may contain only'],
    ['a slash in the role name', { roleName: 'team/ci' }, 'roleName: role name may contain only'],
    ['an empty role name', { roleName: '' }, 'roleName: role name must be 1 to 64'],
    ['a 65-character role name', { roleName: 'r'.repeat(65) }, 'roleName: role name must be 1 to 64'],
    ['`*` in the path', { rolePath: '/team/*/' }, 'rolePath: path must not contain "*"'],
    ['a policy variable in the path', { rolePath: '/${aws:username}/' }, 'rolePath: path must not contain "${"'],
    ['a path without the trailing slash', { rolePath: '/team' }, 'rolePath: path must start and end with "/"'],
    ['a path with a space', { rolePath: '/my team/' }, 'rolePath: path must start and end with "/"'],
    ['a path with an empty segment', { rolePath: '/a//b/' }, 'rolePath: path must not contain an empty segment'],
    ['an 11-digit account', { accountId: '11112222333' }, 'accountId: account id must be exactly 12 digits'],
    ['a wildcard account', { accountId: '*' }, 'accountId: account id must be exactly 12 digits'],
    ['an account with letters', { accountId: '11112222333a' }, 'accountId: account id must be exactly 12 digits'],
    ['`*` in the policy name', { policyName: 'read-*' }, 'policyName: policy name may contain only'],
    ['a 129-character policy name', { policyName: 'p'.repeat(129) }, 'policyName: policy name must be 1 to 128'],
    [
      'a document with a Principal',
      { policyDocument: { ...good.policyDocument, Statement: [{ ...good.policyDocument.Statement[0], Principal: '*' }] } },
      'policyDocument.Statement.0: Unrecognized key',
    ],
    ['a document as a JSON string', { policyDocument: JSON.stringify(good.policyDocument) }, 'policyDocument: '],
    [
      'a document over the inline-policy quota',
      {
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: Array.from({ length: 400 }, (_, i) => `arn:aws:s3:::reports/file-${i}.csv`) }],
        },
      },
      'policyDocument: policy document is too long',
    ],
  ])('refuses %s', (_name, change, expected) => {
    const messages = refusals({ ...good, ...change });
    expect(messages.some((message) => message.startsWith(expected))).toBe(true);
  });

  test('refuses extra and missing fields', () => {
    expect(refusals({ ...good, roleArn: ROLE_ARN })).toEqual([': Unrecognized key: "roleArn"']);
    const { accountId: _omitted, ...missing } = good;
    expect(refusals(missing)).toEqual([expect.stringMatching(/^accountId: /)]);
  });
});

describe('iam.putRolePolicy policies', () => {
  test('the session policy is exactly iam:PutRolePolicy on exactly the role, and iam:GetRolePolicy on it to check the precondition', () => {
    expect(iamPutRolePolicy.sessionPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:PutRolePolicy'], Resource: ['arn:aws:iam::111122223333:role/ci-deployer'] },
        { Effect: 'Allow', Action: ['iam:GetRolePolicy'], Resource: ['arn:aws:iam::111122223333:role/ci-deployer'] },
      ],
    });
  });

  test('the preview policy only reads the role and its inline policy', () => {
    expect(iamPutRolePolicy.previewPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['iam:GetRole', 'iam:GetRolePolicy'], Resource: ['arn:aws:iam::111122223333:role/ci-deployer'] }],
    });
  });

  test('a role path and another partition go into the ARN', () => {
    const params = putRolePolicyParams.parse({ ...good, rolePath: '/team/ci/' });
    expect(iamPutRolePolicy.sessionPolicy(params, 'aws-cn')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['iam:PutRolePolicy'], Resource: ['arn:aws-cn:iam::111122223333:role/team/ci/ci-deployer'] },
        { Effect: 'Allow', Action: ['iam:GetRolePolicy'], Resource: ['arn:aws-cn:iam::111122223333:role/team/ci/ci-deployer'] },
      ],
    });
    expect(iamPutRolePolicy.previewPolicy(params, 'aws-us-gov').Statement[0]?.Resource).toEqual(['arn:aws-us-gov:iam::111122223333:role/team/ci/ci-deployer']);
  });

  test.each([
    ['plain', good],
    ['longest names and path', { ...good, roleName: 'r'.repeat(64), rolePath: `/${'p'.repeat(510)}/` }],
  ])('no wildcard, no condition of its own, and fits STS with the time bound (%s)', (_name, params) => {
    const parsed = putRolePolicyParams.parse(params);
    for (const policy of [iamPutRolePolicy.sessionPolicy(parsed, 'aws-us-gov'), iamPutRolePolicy.previewPolicy(parsed, 'aws-us-gov')]) {
      for (const value of everyActionAndResource(policy)) {
        expect(value).not.toMatch(/[*?]|\$\{/);
      }
      expect(policy.Statement.every((s) => s.Effect === 'Allow' && s.Condition === undefined)).toBe(true);
      expect(sessionPolicyText(timeBoundPolicy(policy, new Date('2026-11-30T12:00:00Z'))).length).toBeLessThanOrEqual(MAX_SESSION_POLICY_CHARS);
    }
  });

  test('the document the requester sends is not part of either policy', () => {
    const wide = putRolePolicyParams.parse({
      ...good,
      policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
    });
    expect(iamPutRolePolicy.sessionPolicy(wide, 'aws')).toEqual(iamPutRolePolicy.sessionPolicy(good, 'aws'));
  });

  test('refuses a partition that is not one', () => {
    expect(() => iamPutRolePolicy.sessionPolicy(good, '*')).toThrow(/invalid AWS partition/);
    expect(() => iamRoleArn('aws:iam::*', '111122223333', 'x')).toThrow(/invalid AWS partition/);
  });
});

describe('iam.putRolePolicy entry', () => {
  test('is idempotent and summarizes exactly what will happen', () => {
    expect(iamPutRolePolicy.name).toBe('iam.putRolePolicy');
    expect(iamPutRolePolicy.idempotent).toBe(true);
    expect(iamPutRolePolicy.summarize(good)).toBe('put inline policy "read-reports" (1 statement) on IAM role ci-deployer in account 111122223333');
    expect(iamPutRolePolicy.summarize({ ...good, rolePath: '/team/' })).toBe(
      'put inline policy "read-reports" (1 statement) on IAM role /team/ci-deployer in account 111122223333',
    );
  });
});

describe('iam.putRolePolicy preview', () => {
  test('a new policy: exists false, every action new, widening with the reasons', async () => {
    const { iam, calls } = fakeIam({
      GetRoleCommand: () => role,
      GetRolePolicyCommand: () => {
        throw noSuchEntity('The role policy with name read-reports cannot be found.');
      },
    });
    const preview = await previewPutRolePolicy(good, iam, 'aws');
    expect(calls).toEqual([GetRoleCommand.name, GetRolePolicyCommand.name]);
    expect(preview.facts).toEqual({ exists: false, addedActions: 1, removedActions: 0, widensAccess: true, wildcardAction: false, wildcardResource: true });
    expect(preview.notes).toEqual([`creates inline policy "read-reports" on ${ROLE_ARN} with 1 statement`, 'actions new to this policy: s3:GetObject']);
    expect(preview.warnings).toEqual([
      'widens access: adds Allow s3:GetObject on arn:aws:s3:::reports/* (statement "Read")',
      'statement "Read" applies to wildcard resources arn:aws:s3:::reports/*',
    ]);
    expect(preview.detail).toBe(['+ statement "Read":', '+     Effect Allow', '+     Action s3:GetObject', '+     Resource arn:aws:s3:::reports/*'].join('\n'));
  });

  test('an existing policy (URL-encoded, as IAM returns it): the diff, narrowing', async () => {
    const current = {
      Version: '2012-10-17',
      Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject', 's3:DeleteObject'], Resource: 'arn:aws:s3:::reports/*' }],
    };
    const { iam } = fakeIam({
      GetRoleCommand: () => role,
      GetRolePolicyCommand: (input) => {
        expect(input).toEqual({ RoleName: 'ci-deployer', PolicyName: 'read-reports' });
        return { PolicyDocument: encodeURIComponent(JSON.stringify(current)).replace(/\*/g, '%2A') };
      },
    });
    const preview = await previewPutRolePolicy(good, iam, 'aws');
    expect(preview.facts).toEqual({ exists: true, addedActions: 0, removedActions: 1, widensAccess: false, wildcardAction: false, wildcardResource: true });
    expect(preview.notes).toEqual([
      `replaces inline policy "read-reports" of ${ROLE_ARN} (1 statement) with 1 statement`,
      '0 added, 0 removed, 1 changed, 0 unchanged',
      'actions no longer in this policy: s3:DeleteObject',
      'does not widen the access this policy grants',
    ]);
    expect(preview.warnings).toEqual([]);
    expect(preview.detail).toContain('  -   Action s3:DeleteObject');
  });

  test('the same document again: no change', async () => {
    const { iam } = fakeIam({
      GetRoleCommand: () => role,
      GetRolePolicyCommand: () => ({ PolicyDocument: encodeURIComponent(JSON.stringify(good.policyDocument)) }),
    });
    const preview = await previewPutRolePolicy(good, iam, 'aws');
    expect(preview.facts).toMatchObject({ exists: true, addedActions: 0, removedActions: 0, widensAccess: false });
    expect(preview.warnings).toEqual([]);
    expect(preview.detail).toBe('no change: the same 1 statement as now');
  });

  test('iam:PassRole on *: warnings for the widening and for each risk', async () => {
    const params = putRolePolicyParams.parse({
      ...good,
      policyDocument: {
        Version: '2012-10-17',
        Statement: [...good.policyDocument.Statement, { Sid: 'Pass', Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }],
      },
    });
    const { iam } = fakeIam({
      GetRoleCommand: () => role,
      GetRolePolicyCommand: () => ({ PolicyDocument: encodeURIComponent(JSON.stringify(good.policyDocument)) }),
    });
    const preview = await previewPutRolePolicy(params, iam, 'aws');
    expect(preview.facts).toEqual({ exists: true, addedActions: 1, removedActions: 0, widensAccess: true, wildcardAction: false, wildcardResource: true });
    expect(preview.warnings).toEqual([
      'widens access: adds Allow iam:PassRole on * (statement "Pass")',
      'statement "Pass" applies to every resource (*)',
      'statement "Pass" grants iam:PassRole on *: it can hand roles to AWS services, a privilege-escalation path',
    ]);
  });

  test('a missing role fails the preview (NoSuchEntity from GetRole), before the policy is read', async () => {
    const { iam, calls } = fakeIam({
      GetRoleCommand: () => {
        throw noSuchEntity('The role with name ci-deployer cannot be found.');
      },
    });
    await expect(previewPutRolePolicy(good, iam, 'aws')).rejects.toMatchObject({ name: 'NoSuchEntityException' });
    expect(calls).toEqual([GetRoleCommand.name]);
  });

  test('other errors from GetRolePolicy propagate', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const { iam } = fakeIam({
      GetRoleCommand: () => role,
      GetRolePolicyCommand: () => {
        throw denied;
      },
    });
    await expect(previewPutRolePolicy(good, iam, 'aws')).rejects.toBe(denied);
  });

  test('a role whose real ARN differs (a path) and a permissions boundary are called out', async () => {
    const { iam } = fakeIam({
      GetRoleCommand: () => ({
        Role: {
          ...role.Role,
          Arn: 'arn:aws:iam::111122223333:role/team/ci-deployer',
          PermissionsBoundary: { PermissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/boundary' },
        },
      }),
      GetRolePolicyCommand: () => {
        throw noSuchEntity('none');
      },
    });
    const preview = await previewPutRolePolicy(good, iam, 'aws');
    expect(preview.warnings[0]).toBe(
      `the role's ARN is arn:aws:iam::111122223333:role/team/ci-deployer, not ${ROLE_ARN}: the session policy names the latter, so the change would be denied`,
    );
    expect(preview.notes).toContain(
      'the role has the permissions boundary arn:aws:iam::111122223333:policy/boundary: it caps what any of its policies can grant',
    );
  });
});
