import type * as IamSdk from '@aws-sdk/client-iam';
import { diffPolicies, grantFlags, grantWarnings } from '../../iam-policy-diff';
import {
  describeStatement,
  normalizePolicy,
  parsePolicyJson,
  PolicyDocumentError,
  readPolicyDocument,
  statementLabel,
  type NormalizedStatement,
  type PolicyInput,
} from '../../iam-policy-document';
import { jsonDigest, sha256 } from '../../preconditions';
import { noFindings, type HookFindings } from './hook';
import { errorName } from '../../aws-error';

/*
 * PutRolePolicy and DeleteRolePolicy through aws.call: the role's inline policy of that name now
 * against the one the call leaves (the input's `PolicyDocument`, a JSON string, or none), with the
 * widening check the iam.* operations use. Bound: the current document's digest, so a policy
 * changed after the review is not replaced or deleted unseen.
 */

/** The inline policy as IAM holds it: a document (and its digest), none, or text this code cannot read (digested as it is). */
type Current = { state: 'present'; document: PolicyInput; sha256: string } | { state: 'none' } | { state: 'unreadable'; problem: string; sha256: string };

async function readInlinePolicy(sdk: typeof IamSdk, iam: IamSdk.IAMClient, roleName: string, policyName: string): Promise<Current> {
  let text: string;
  try {
    text = (await iam.send(new sdk.GetRolePolicyCommand({ RoleName: roleName, PolicyName: policyName }))).PolicyDocument ?? '';
  } catch (err) {
    // IAM says NoSuchEntity for a missing role and a missing policy alike.
    if (errorName(err) === 'NoSuchEntityException' || errorName(err) === 'NoSuchEntity') return { state: 'none' };
    throw err;
  }
  try {
    // The digest covers the whole document as stored, elements the diff does not read (Id) included.
    return { state: 'present', document: readPolicyDocument(text), sha256: jsonDigest(parsePolicyJson(text)) };
  } catch (err) {
    if (!(err instanceof PolicyDocumentError)) throw err;
    return { state: 'unreadable', problem: err.message, sha256: sha256(text) };
  }
}

/** The document the call leaves: the input's, none (a delete), or one that cannot be read (with why). */
function newPolicyOf(input: Record<string, unknown>, change: 'put' | 'delete'): { document: PolicyInput } | { problem: string } {
  if (change === 'delete') return { document: { Statement: [] } };
  if (typeof input.PolicyDocument !== 'string') return { problem: 'input.PolicyDocument must be the policy document as a JSON string' };
  try {
    return { document: readPolicyDocument(input.PolicyDocument) };
  } catch (err) {
    if (!(err instanceof PolicyDocumentError)) throw err;
    return { problem: `input.PolicyDocument: ${err.message}` };
  }
}

/** Reviewers read every statement added, removed or changed, up to this many of each. */
const MAX_STATEMENT_NOTES = 10;

function statementNotes(verb: string, statements: NormalizedStatement[]): string[] {
  const notes = statements.slice(0, MAX_STATEMENT_NOTES).map((statement) => `${verb} ${statementLabel(statement)}: ${describeStatement(statement)}`);
  if (statements.length > MAX_STATEMENT_NOTES) notes.push(`… and ${statements.length - MAX_STATEMENT_NOTES} more`);
  return notes;
}

function count(n: number): string {
  return `${n} ${n === 1 ? 'statement' : 'statements'}`;
}

/**
 * The role's inline policy of that name (GetRolePolicy on exactly the role) against the one the
 * call leaves. Facts: `policyExists`, `currentStatements`, `statements`, `addedStatements`,
 * `removedStatements`, `changedStatements`, `addedActions`, `removedActions`, `widensAccess`,
 * `wildcardAction`, `wildcardResource`, `currentPolicySha256`.
 */
export async function lookAtInlinePolicy(
  sdk: typeof IamSdk,
  iam: IamSdk.IAMClient,
  input: Record<string, unknown>,
  change: 'put' | 'delete',
): Promise<HookFindings> {
  const findings = noFindings();
  const roleName = String(input.RoleName);
  if (typeof input.PolicyName !== 'string' || input.PolicyName === '') {
    findings.warnings.push('the input names no PolicyName: IAM will refuse the call, and nothing was read');
    return findings;
  }
  const policy = `inline policy ${JSON.stringify(input.PolicyName)} of role ${roleName}`;
  const current = await readInlinePolicy(sdk, iam, roleName, input.PolicyName);
  const proposed = newPolicyOf(input, change);
  findings.bound = { policy: current.state === 'none' ? null : current.sha256 };
  findings.facts.policyExists = current.state !== 'none';
  findings.facts.currentPolicySha256 = current.state === 'none' ? null : current.sha256;

  // What the diff starts from: the document, undefined for no policy (every statement is new), null when unreadable (no diff).
  const before = current.state === 'present' ? current.document : current.state === 'none' ? undefined : null;
  findings.facts.currentStatements = before === undefined ? 0 : before === null ? null : normalizePolicy(before).length;
  if (current.state === 'unreadable')
    findings.warnings.push(`the current ${policy} could not be read as a policy document (${current.problem}): no diff can be shown`);
  if ('problem' in proposed) {
    findings.facts.statements = null;
    findings.warnings.push(
      `the new policy cannot be read as a policy document (${proposed.problem}): IAM will most likely refuse it (MalformedPolicyDocument)`,
    );
  } else {
    const statements = normalizePolicy(proposed.document);
    const flags = grantFlags(statements);
    Object.assign(findings.facts, { statements: statements.length, wildcardAction: flags.wildcardAction, wildcardResource: flags.wildcardResource });
  }
  if (current.state === 'none' && change === 'put') {
    findings.notes.push(`creates ${policy}`);
  } else if (current.state === 'none') {
    findings.warnings.push(`there is no ${policy} (or no such role): IAM will refuse the delete (NoSuchEntity)`);
  } else if (current.state === 'present') {
    const was = count(normalizePolicy(current.document).length);
    findings.notes.push(change === 'put' ? `replaces ${policy} (${was})` : `deletes ${policy} (${was}): everything it allowed and denied goes with it`);
  }
  if (before === null || 'problem' in proposed) return findings;

  const diff = diffPolicies(before, proposed.document);
  Object.assign(findings.facts, {
    addedStatements: diff.added.length,
    removedStatements: diff.removed.length,
    changedStatements: diff.changed.length,
    addedActions: diff.addedActions.length,
    removedActions: diff.removedActions.length,
    widensAccess: diff.widens,
  });
  findings.notes.push(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.changed.length} changed, ${diff.unchanged} unchanged`);
  if (diff.addedActions.length > 0) findings.notes.push(`actions new to this policy: ${diff.addedActions.join(', ')}`);
  if (diff.removedActions.length > 0) findings.notes.push(`actions no longer in this policy: ${diff.removedActions.join(', ')}`);
  findings.notes.push(...statementNotes('removes', diff.removed), ...statementNotes('adds', diff.added));
  findings.notes.push(
    ...statementNotes(
      'changes',
      diff.changed.map((pair) => pair.after),
    ),
  );
  findings.warnings.push(...diff.reasons.map((reason) => `widens access: ${reason}`), ...grantWarnings(diff.widening, `role ${roleName}`));
  return findings;
}
