import { attachAsPreviewed, previewAttachRolePolicy } from '../../../../operations/iam/attach-role-policy';
import { rolePolicyAttachmentParams, type AttachmentPreconditions } from '../../../../operations/iam/attachment';
import { detachAsPreviewed, previewDetachRolePolicy } from '../../../../operations/iam/detach-role-policy';
import { findPutApplied, previewPutRolePolicy, putAsPreviewed, putRolePolicyParams } from '../../../../operations/iam/put-role-policy';
import type { IamSender } from '../../../../operations/iam/role';
import { jsonDigest, PreconditionFailedError } from '../../../../operations/preconditions';
import { rejectionOf } from '../../../support/failures';

/** IAM in memory: one role's inline policies and attachments, and managed policies with a default version each. */
class FakeIam {
  readonly inline = new Map<string, string>();
  readonly attached = new Set<string>();
  readonly managed = new Map<string, { version: string; document: string }>();
  roleExists = true;
  readonly sent: string[] = [];

  sender(): IamSender {
    const send = async (command: { constructor: { name: string }; input: Record<string, string> }) => {
      const name = command.constructor.name.replace('Command', '');
      this.sent.push(name);
      return this.answer(name, command.input);
    };
    // The SDK's overloaded `send` cannot be written as one function type; the fake honours the calls used.
    return { send } as unknown as IamSender;
  }

  writes(): string[] {
    return this.sent.filter((name) => /^(Put|Attach|Detach)/.test(name));
  }

  private answer(name: string, input: Record<string, string>): unknown {
    const missing = () => Object.assign(new Error(`${name}: not found`), { name: 'NoSuchEntityException' });
    const role = () => {
      if (!this.roleExists) throw missing();
    };
    const policy = (arn: string) =>
      this.managed.get(arn) ??
      (() => {
        throw missing();
      })();
    switch (name) {
      case 'GetRole':
        role();
        return { Role: { RoleName: input.RoleName, Arn: `arn:aws:iam::111122223333:role/${input.RoleName}` } };
      case 'GetRolePolicy': {
        role();
        const text = this.inline.get(input.PolicyName ?? '');
        if (text === undefined) throw missing();
        return { PolicyDocument: encodeURIComponent(text) };
      }
      case 'PutRolePolicy':
        role();
        this.inline.set(input.PolicyName ?? '', input.PolicyDocument ?? '');
        return {};
      case 'GetPolicy':
        return { Policy: { PolicyName: 'read', Arn: input.PolicyArn, DefaultVersionId: policy(input.PolicyArn ?? '').version } };
      case 'GetPolicyVersion':
        return { PolicyVersion: { Document: encodeURIComponent(policy(input.PolicyArn ?? '').document) } };
      case 'ListAttachedRolePolicies':
        role();
        return { AttachedPolicies: [...this.attached].map((PolicyArn) => ({ PolicyArn })), IsTruncated: false };
      case 'AttachRolePolicy':
        this.attached.add(input.PolicyArn ?? '');
        return {};
      case 'DetachRolePolicy':
        if (!this.attached.delete(input.PolicyArn ?? '')) throw missing();
        return {};
      default:
        throw new Error(`unexpected ${name}`);
    }
  }
}

const readReports = { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] }] };
const readAll = { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] }] };

function refusalOf(promise: Promise<unknown>): Promise<PreconditionFailedError> {
  return rejectionOf(promise, PreconditionFailedError);
}

describe('iam.putRolePolicy: bound to the inline policy the diff was computed against', () => {
  const params = putRolePolicyParams.parse({ accountId: '111122223333', roleName: 'ci-deployer', policyName: 'read', policyDocument: readReports });

  test("the preview binds to the current policy's digest, or to its absence", async () => {
    const iam = new FakeIam();
    expect((await previewPutRolePolicy(params, iam.sender(), 'aws')).preconditions).toEqual({ currentPolicySha256: null });
    // Spacing and key order as IAM stores it do not matter; the document does.
    iam.inline.set('read', '{ "Statement": [ { "Resource": ["*"], "Action": ["s3:GetObject"], "Effect": "Allow", "Sid": "Read" } ], "Version": "2012-10-17" }');
    expect((await previewPutRolePolicy(params, iam.sender(), 'aws')).preconditions).toEqual({ currentPolicySha256: jsonDigest(readAll) });
  });

  test('unchanged: reads it again, then puts', async () => {
    const iam = new FakeIam();
    iam.inline.set('read', JSON.stringify(readAll));
    const reviewed = { currentPolicySha256: jsonDigest(readAll) };
    await putAsPreviewed(params, iam.sender(), 'aws', reviewed);
    expect(iam.sent).toEqual(['GetRolePolicy', 'PutRolePolicy']);
    expect(JSON.parse(iam.inline.get('read') ?? '')).toEqual(readReports);
  });

  test.each([
    [
      'created since',
      undefined,
      null,
      'inline policy "read" of IAM role ci-deployer in account 111122223333 did not exist when the diff was computed, and exists now; nothing was put',
    ],
    ['deleted since', null, jsonDigest(readAll), 'was deleted after the diff was computed'],
    [
      'replaced since',
      undefined,
      jsonDigest(readReports),
      `was replaced after the diff was computed (digest ${jsonDigest(readReports).slice(0, 12)}… then, ${jsonDigest(readAll).slice(0, 12)}… now)`,
    ],
  ])('%s: fails, says what changed, and puts nothing', async (_name, now, reviewed, says) => {
    const iam = new FakeIam();
    if (now === undefined) iam.inline.set('read', JSON.stringify(readAll));
    const before = new Map(iam.inline);
    const refused = await refusalOf(putAsPreviewed(params, iam.sender(), 'aws', { currentPolicySha256: reviewed }));
    expect(refused.message).toContain(says);
    expect(iam.writes()).toEqual([]);
    expect(iam.inline).toEqual(before);
  });

  test("a retry finds a put already in place, so the changed digest is not mistaken for someone else's change", async () => {
    const iam = new FakeIam();
    expect(await findPutApplied(params, iam.sender(), 'aws')).toBeUndefined();
    iam.inline.set('read', JSON.stringify(readReports));
    expect(await findPutApplied(params, iam.sender(), 'aws')).toMatchObject({ outputs: { policyName: 'read', statements: 1 } });
    iam.inline.set('read', JSON.stringify(readAll));
    expect(await findPutApplied(params, iam.sender(), 'aws')).toBeUndefined();
  });
});

describe('iam.attachRolePolicy and iam.detachRolePolicy: bound to the previewed version and attachment', () => {
  const POLICY = 'arn:aws:iam::111122223333:policy/read';
  const params = rolePolicyAttachmentParams.parse({ accountId: '111122223333', roleName: 'ci-deployer', policyArn: POLICY });

  function world(attached: boolean): FakeIam {
    const iam = new FakeIam();
    iam.managed.set(POLICY, { version: 'v1', document: JSON.stringify(readReports) });
    if (attached) iam.attached.add(POLICY);
    return iam;
  }

  test('the previews bind to the default version, its document and the attachment', async () => {
    const expected: AttachmentPreconditions = { defaultVersionId: 'v1', documentSha256: jsonDigest(readReports), attached: false };
    expect((await previewAttachRolePolicy(params, world(false).sender(), 'aws')).preconditions).toEqual(expected);
    expect((await previewDetachRolePolicy(params, world(true).sender(), 'aws')).preconditions).toEqual({ ...expected, attached: true });
  });

  test('unchanged: reads again, then writes', async () => {
    const attach = world(false);
    await attachAsPreviewed(params, attach.sender(), 'aws', { defaultVersionId: 'v1', documentSha256: jsonDigest(readReports), attached: false });
    expect(attach.sent).toEqual(['GetPolicy', 'GetPolicyVersion', 'ListAttachedRolePolicies', 'AttachRolePolicy']);
    expect([...attach.attached]).toEqual([POLICY]);
    const detach = world(true);
    const outcome = await detachAsPreviewed(params, detach.sender(), 'aws', {
      defaultVersionId: 'v1',
      documentSha256: jsonDigest(readReports),
      attached: true,
    });
    expect(outcome.outputs.detached).toBe(true);
    expect([...detach.attached]).toEqual([]);
  });

  const reviewed: AttachmentPreconditions = { defaultVersionId: 'v1', documentSha256: jsonDigest(readReports), attached: false };

  test.each([
    [
      'a new default version',
      (iam: FakeIam) => iam.managed.set(POLICY, { version: 'v2', document: JSON.stringify(readAll) }),
      'its default version is v2, the preview read v1',
    ],
    [
      'the same version id with another document (a recreated policy)',
      (iam: FakeIam) => iam.managed.set(POLICY, { version: 'v1', document: JSON.stringify(readAll) }),
      'the document of v1 differs',
    ],
    [
      'the policy attached meanwhile',
      (iam: FakeIam) => iam.attached.add(POLICY),
      'it was not attached to IAM role ci-deployer in account 111122223333 when previewed, and is now',
    ],
    ['the policy deleted', (iam: FakeIam) => iam.managed.delete(POLICY), 'no longer exists (both did when previewed)'],
    [
      'the role deleted',
      (iam: FakeIam) => {
        iam.roleExists = false;
      },
      'no longer exists (both did when previewed)',
    ],
  ])('attach after %s: fails, says what changed, and attaches nothing', async (_name, change, says) => {
    const iam = world(false);
    change(iam);
    const before = [...iam.attached];
    const refused = await refusalOf(attachAsPreviewed(params, iam.sender(), 'aws', reviewed));
    expect(refused.message).toContain(says);
    expect(refused.message).toMatch(/; nothing was changed$/);
    expect(iam.writes()).toEqual([]);
    expect([...iam.attached]).toEqual(before);
  });

  test('detach after the policy got a new default version: fails and detaches nothing', async () => {
    const iam = world(true);
    iam.managed.set(POLICY, { version: 'v2', document: JSON.stringify(readReports) });
    const refused = await refusalOf(detachAsPreviewed(params, iam.sender(), 'aws', { ...reviewed, attached: true }));
    expect(refused.message).toBe(`${POLICY} changed after the preview: its default version is v2, the preview read v1; nothing was changed`);
    expect([...iam.attached]).toEqual([POLICY]);
  });
});
