import type * as IamSdk from '@aws-sdk/client-iam';
import { diffBucketPolicies } from '../../bucket-policy-diff';
import { describeStatement, readBucketPolicy, statementLabel, statementsOf } from '../../bucket-policy-document';
import { grantsPublicAccess } from '../../bucket-policy-public';
import { parsePolicyJson, PolicyDocumentError } from '../../iam-policy-document';
import { noFindings, type HookFindings } from './hook';
import { errorName } from '../../aws-error';

/*
 * Calls on one IAM role through aws.call (AttachRolePolicy, DetachRolePolicy, DeleteRole, TagRole,
 * UpdateAssumeRolePolicy): the role as GetRole shows it, its attached managed policies, and what
 * the call changes of it. All reads are on exactly the role the input names.
 */

export type RoleCall = 'AttachRolePolicy' | 'DetachRolePolicy' | 'DeleteRole' | 'TagRole' | 'UpdateAssumeRolePolicy';

function isNoSuchEntity(err: unknown): boolean {
  return errorName(err) === 'NoSuchEntityException' || errorName(err) === 'NoSuchEntity';
}

async function getRole(sdk: typeof IamSdk, iam: IamSdk.IAMClient, roleName: string): Promise<IamSdk.Role | undefined> {
  try {
    return (await iam.send(new sdk.GetRoleCommand({ RoleName: roleName }))).Role;
  } catch (err) {
    if (isNoSuchEntity(err)) return undefined;
    throw err;
  }
}

/** Every page of a role's list (attached policy ARNs, inline policy names). */
async function allPages<T>(fetch: (marker: string | undefined) => Promise<{ items: T[]; next: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let marker: string | undefined;
  do {
    const page = await fetch(marker);
    items.push(...page.items);
    marker = page.next;
  } while (marker);
  return items;
}

function attachedPolicyArns(sdk: typeof IamSdk, iam: IamSdk.IAMClient, roleName: string): Promise<string[]> {
  return allPages(async (Marker) => {
    const page = await iam.send(new sdk.ListAttachedRolePoliciesCommand({ RoleName: roleName, ...(Marker ? { Marker } : {}) }));
    return { items: (page.AttachedPolicies ?? []).flatMap((p) => (p.PolicyArn ? [p.PolicyArn] : [])), next: page.IsTruncated ? page.Marker : undefined };
  });
}

function inlinePolicyNames(sdk: typeof IamSdk, iam: IamSdk.IAMClient, roleName: string): Promise<string[]> {
  return allPages(async (Marker) => {
    const page = await iam.send(new sdk.ListRolePoliciesCommand({ RoleName: roleName, ...(Marker ? { Marker } : {}) }));
    return { items: page.PolicyNames ?? [], next: page.IsTruncated ? page.Marker : undefined };
  });
}

/** Tags the call sets: new keys, and keys whose value it changes (`env: dev → prod`). */
function tagChanges(role: IamSdk.Role, input: Record<string, unknown>): { added: string[]; changed: string[] } {
  const now = new Map((role.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
  const requested = Array.isArray(input.Tags) ? (input.Tags as { Key?: unknown; Value?: unknown }[]) : [];
  const added: string[] = [];
  const changed: string[] = [];
  for (const { Key, Value } of requested) {
    if (typeof Key !== 'string') continue;
    if (!now.has(Key)) added.push(`${Key}=${String(Value)}`);
    else if (now.get(Key) !== Value) changed.push(`${Key}: ${String(now.get(Key))} → ${String(Value)}`);
  }
  return { added, changed };
}

/**
 * The trust policy now against the input's `PolicyDocument`: statements added and removed, and
 * whether the new one lets anyone assume the role. A trust policy names a Principal in each
 * statement, as a bucket policy does, so the bucket-policy diff and public reading apply.
 */
function trustPolicyFindings(findings: HookFindings, role: IamSdk.Role, input: Record<string, unknown>): void {
  let currentText: string;
  try {
    currentText = JSON.stringify(parsePolicyJson(role.AssumeRolePolicyDocument ?? ''));
  } catch (err) {
    if (!(err instanceof PolicyDocumentError)) throw err;
    currentText = role.AssumeRolePolicyDocument ?? '';
  }
  const current = readBucketPolicy(currentText);
  findings.bound = { role: role.RoleId ?? null, trustPolicy: current.sha256 };
  const proposed = typeof input.PolicyDocument === 'string' ? readBucketPolicy(input.PolicyDocument) : undefined;
  if (!proposed?.readable) {
    findings.warnings.push('the new trust policy (input.PolicyDocument, a JSON string) cannot be read as a policy document: IAM will most likely refuse it');
    return;
  }
  findings.facts.trustGrantsEveryone = grantsPublicAccess(proposed.document);
  if (findings.facts.trustGrantsEveryone)
    findings.warnings.push('the new trust policy lets any principal assume the role (Principal "*" with no condition that limits who)');
  if (!current.readable) {
    findings.warnings.push(`the current trust policy could not be read as a policy document (${current.problem}): no diff can be shown`);
    return;
  }
  const diff = diffBucketPolicies(current.document, proposed.document);
  Object.assign(findings.facts, { addedStatements: diff.added.length, removedStatements: diff.removed.length, unchangedStatements: diff.unchanged });
  findings.notes.push(`trust policy: ${diff.added.length} added, ${diff.removed.length} removed, ${diff.unchanged} unchanged`);
  for (const { statement, position } of diff.removed) findings.notes.push(`removes ${statementLabel(statement, position)}: ${describeStatement(statement)}`);
  for (const { statement, position } of diff.added) findings.notes.push(`adds ${statementLabel(statement, position)}: ${describeStatement(statement)}`);
  findings.facts.currentTrustStatements = statementsOf(current.document).length;
}

/** What each call adds to the role's findings, from what was read. */
async function callFindings(
  sdk: typeof IamSdk,
  iam: IamSdk.IAMClient,
  call: RoleCall,
  role: IamSdk.Role,
  attached: string[],
  input: Record<string, unknown>,
  findings: HookFindings,
): Promise<void> {
  const roleName = role.RoleName ?? String(input.RoleName);
  switch (call) {
    case 'AttachRolePolicy':
    case 'DetachRolePolicy': {
      const arn = String(input.PolicyArn);
      const isAttached = attached.includes(arn);
      findings.facts.policyAttached = isAttached;
      if (call === 'AttachRolePolicy')
        findings.notes.push(isAttached ? `${arn} is already attached: attaching it again changes nothing` : `attaches ${arn} to role ${roleName}`);
      else if (isAttached) findings.notes.push(`detaches ${arn} from role ${roleName}`);
      else findings.warnings.push(`${arn} is not attached to role ${roleName}: IAM will refuse the detach (NoSuchEntity)`);
      return;
    }
    case 'DeleteRole': {
      const inline = await inlinePolicyNames(sdk, iam, roleName);
      findings.facts.inlinePolicies = inline.length;
      // The role as reviewed: a role deleted and created again under the name has another RoleId.
      findings.bound = { role: role.RoleId ?? null };
      findings.notes.push(`deletes role ${roleName}`);
      if (attached.length + inline.length > 0) {
        findings.warnings.push(
          `role ${roleName} has ${attached.length} attached and ${inline.length} inline policies: IAM refuses to delete a role that has any (DeleteConflict)`,
        );
      }
      return;
    }
    case 'TagRole': {
      const { added, changed } = tagChanges(role, input);
      Object.assign(findings.facts, { tagsAdded: added.length, tagsChanged: changed.length });
      if (added.length > 0) findings.notes.push(`adds tags ${added.join(', ')}`);
      if (changed.length > 0)
        findings.warnings.push(`changes tags ${changed.join(', ')}: policies that match on aws:ResourceTag may then allow or deny otherwise`);
      if (added.length + changed.length === 0) findings.notes.push('the role has these tags already: nothing changes');
      return;
    }
    case 'UpdateAssumeRolePolicy':
      trustPolicyFindings(findings, role, input);
      return;
  }
}

/** The role the input names, and what the call changes of it. Facts: `roleExists`, `roleArn`, `rolePath`, `roleCreated`, `roleLastUsed`, `attachedPolicies`, `permissionsBoundary`, and each call's own. */
export async function lookAtRole(sdk: typeof IamSdk, iam: IamSdk.IAMClient, call: RoleCall, input: Record<string, unknown>): Promise<HookFindings> {
  const findings = noFindings();
  const roleName = String(input.RoleName);
  const role = await getRole(sdk, iam, roleName);
  findings.facts.roleExists = role !== undefined;
  if (!role) {
    findings.bound = { role: 'absent' };
    findings.warnings.push(`role ${roleName} does not exist: the call would fail (NoSuchEntity)`);
    return findings;
  }
  const attached = call === 'TagRole' || call === 'UpdateAssumeRolePolicy' ? [] : await attachedPolicyArns(sdk, iam, roleName);
  Object.assign(findings.facts, {
    roleArn: role.Arn ?? null,
    rolePath: role.Path ?? null,
    roleCreated: role.CreateDate?.toISOString() ?? null,
    roleLastUsed: role.RoleLastUsed?.LastUsedDate?.toISOString() ?? null,
    permissionsBoundary: role.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
    ...(call === 'TagRole' || call === 'UpdateAssumeRolePolicy' ? {} : { attachedPolicies: attached.length }),
  });
  findings.notes.push(
    `role ${role.Arn ?? roleName}, created ${role.CreateDate?.toISOString() ?? 'at an unknown time'}, last used ${role.RoleLastUsed?.LastUsedDate?.toISOString() ?? 'never (or not recorded)'}`,
  );
  if (role.Path && role.Path !== '/') {
    // The derived ARN names the role without a path (services.ts): AWS denies rather than widens.
    // On AWS the reads above are denied first (same ARN); an emulator that ignores session policies gets here.
    findings.warnings.push(`the role's path is ${role.Path}: the session policy names the role without it, so AWS will deny the call`);
  }
  await callFindings(sdk, iam, call, role, attached, input, findings);
  return findings;
}
