import type * as S3Sdk from '@aws-sdk/client-s3';
import { diffBucketPolicies, type BucketPolicyDiff, type PositionedStatement } from '../../bucket-policy-diff';
import {
  describeStatement,
  readBucketPolicy,
  statementLabel,
  statementsOf,
  type BucketPolicyInput,
  type StoredBucketPolicy,
} from '../../bucket-policy-document';
import { grantsPublicAccess, statementGrantsPublicAccess } from '../../bucket-policy-public';
import type { PreviewFact } from '../../types';
import { noFindings, type HookFindings } from './hook';
import { errorName } from '../../aws-error';

/*
 * PutBucketPolicy and DeleteBucketPolicy through aws.call: the bucket's policy now against the one
 * the call leaves (the input's `Policy`, a JSON string, or none), statement by statement, with the
 * public-access reading s3.putBucketPolicy uses. Bound: the current policy's digest, so a policy
 * changed after the review is not replaced or deleted unseen.
 */

/** The bucket's policy: as S3 holds it, none (NoSuchBucketPolicy), or no bucket at all. */
type CurrentPolicy = { state: 'present'; stored: StoredBucketPolicy } | { state: 'none' } | { state: 'no-bucket' };

async function readCurrentPolicy(sdk: typeof S3Sdk, s3: S3Sdk.S3Client, input: Record<string, unknown>): Promise<CurrentPolicy> {
  try {
    const response = await s3.send(
      new sdk.GetBucketPolicyCommand({
        Bucket: String(input.Bucket),
        ...(typeof input.ExpectedBucketOwner === 'string' ? { ExpectedBucketOwner: input.ExpectedBucketOwner } : {}),
      }),
    );
    return { state: 'present', stored: readBucketPolicy(response.Policy ?? '') };
  } catch (err) {
    const name = errorName(err);
    if (name === 'NoSuchBucketPolicy') return { state: 'none' };
    if (name === 'NoSuchBucket') return { state: 'no-bucket' };
    throw err;
  }
}

/** The policy the call leaves: the input's document, none (a delete), or one that cannot be read (with why). */
type NewPolicy = { state: 'document'; document: BucketPolicyInput } | { state: 'none' } | { state: 'unreadable'; problem: string };

function newPolicyOf(input: Record<string, unknown>, change: 'put' | 'delete'): NewPolicy {
  if (change === 'delete') return { state: 'none' };
  if (typeof input.Policy !== 'string') return { state: 'unreadable', problem: 'input.Policy must be the policy document as a JSON string' };
  const read = readBucketPolicy(input.Policy);
  return read.readable ? { state: 'document', document: read.document } : { state: 'unreadable', problem: `input.Policy: ${read.problem}` };
}

/** Reviewers read every statement added or removed, up to this many of each. */
const MAX_STATEMENT_NOTES = 10;

function statementNotes(verb: string, statements: PositionedStatement[]): string[] {
  const notes = statements
    .slice(0, MAX_STATEMENT_NOTES)
    .map(({ statement, position }) => `${verb} ${statementLabel(statement, position)}: ${describeStatement(statement)}`);
  if (statements.length > MAX_STATEMENT_NOTES) notes.push(`… and ${statements.length - MAX_STATEMENT_NOTES} more ${verb === 'adds' ? 'added' : 'removed'}`);
  return notes;
}

function count(n: number): string {
  return `${n} ${n === 1 ? 'statement' : 'statements'}`;
}

/** The public statements of a policy, labelled: `statement "PublicRead"`. */
function publicLabels(document: BucketPolicyInput): string {
  return statementsOf(document)
    .flatMap((statement, index) => (statementGrantsPublicAccess(statement) ? [statementLabel(statement, index + 1)] : []))
    .join(', ');
}

/** What the diff says, and what removing a Deny or granting the public means. */
function diffFindings(findings: HookFindings, uri: string, diff: BucketPolicyDiff, proposed: NewPolicy, wasPublic: PreviewFact): void {
  findings.notes.push(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.unchanged} unchanged`);
  findings.notes.push(...statementNotes('removes', diff.removed), ...statementNotes('adds', diff.added));
  for (const { statement, position } of diff.removed.filter((removed) => removed.statement.Effect === 'Deny')) {
    findings.warnings.push(`removes a Deny (${statementLabel(statement, position)}: ${describeStatement(statement)}): what it denied may then be allowed`);
  }
  if (proposed.state === 'document' && grantsPublicAccess(proposed.document)) {
    const which = publicLabels(proposed.document);
    findings.warnings.push(
      wasPublic === true
        ? `the new policy grants public access, as the current one does (${which})`
        : `makes ${uri} public: ${which} allow everyone with no condition that limits who`,
    );
  } else if (wasPublic === true) {
    findings.notes.push(`${uri} is public under the current policy and would no longer be`);
  }
}

/**
 * The bucket's policy now (GetBucketPolicy on exactly the bucket) against the one the call
 * leaves. Facts: `bucketExists`, `policyExists`, `currentStatements`, `statements`,
 * `addedStatements`, `removedStatements`, `unchangedStatements`, `grantsPublicAccess`,
 * `currentlyGrantsPublicAccess`, `currentPolicySha256`.
 */
export async function lookAtBucketPolicy(
  sdk: typeof S3Sdk,
  s3: S3Sdk.S3Client,
  input: Record<string, unknown>,
  change: 'put' | 'delete',
): Promise<HookFindings> {
  const findings = noFindings();
  const uri = `s3://${String(input.Bucket)}`;
  const current = await readCurrentPolicy(sdk, s3, input);
  const proposed = newPolicyOf(input, change);
  const currentDocument = current.state === 'present' && current.stored.readable ? current.stored.document : undefined;
  const currentReadable = !(current.state === 'present' && !current.stored.readable);
  const wasPublic: PreviewFact = current.state !== 'present' ? false : currentDocument ? grantsPublicAccess(currentDocument) : null;
  const diff =
    currentReadable && proposed.state !== 'unreadable'
      ? diffBucketPolicies(currentDocument, proposed.state === 'document' ? proposed.document : { Statement: [] })
      : undefined;

  findings.bound = current.state === 'present' ? { policy: current.stored.sha256 } : current.state === 'none' ? { policy: null } : { bucket: 'absent' };
  findings.facts = {
    bucketExists: current.state !== 'no-bucket',
    policyExists: current.state === 'present',
    currentStatements: currentDocument ? statementsOf(currentDocument).length : current.state === 'present' ? null : 0,
    statements: proposed.state === 'document' ? statementsOf(proposed.document).length : proposed.state === 'none' ? 0 : null,
    addedStatements: diff ? diff.added.length : null,
    removedStatements: diff ? diff.removed.length : null,
    unchangedStatements: diff ? diff.unchanged : null,
    grantsPublicAccess: proposed.state === 'document' ? grantsPublicAccess(proposed.document) : proposed.state === 'none' ? false : null,
    currentlyGrantsPublicAccess: wasPublic,
    currentPolicySha256: current.state === 'present' ? current.stored.sha256 : null,
  };

  const after = proposed.state === 'document' ? count(statementsOf(proposed.document).length) : 'an unreadable policy';
  if (current.state === 'no-bucket') {
    findings.warnings.push(`bucket ${uri} does not exist: the call would fail (NoSuchBucket)`);
  } else if (current.state === 'none') {
    findings.notes.push(change === 'put' ? `sets the first bucket policy of ${uri}, with ${after}` : `${uri} has no bucket policy: the delete changes nothing`);
  } else if (!current.stored.readable) {
    findings.warnings.push(`the current bucket policy of ${uri} could not be read as a policy document: ${current.stored.problem}; no diff can be shown`);
  } else {
    const before = count(statementsOf(current.stored.document).length);
    findings.notes.push(
      change === 'put'
        ? `replaces the bucket policy of ${uri} (${before}) with ${after}`
        : `deletes the bucket policy of ${uri} (${before}): everything it allowed and denied goes with it`,
    );
  }
  if (proposed.state === 'unreadable')
    findings.warnings.push(`the new policy cannot be read as a policy document (${proposed.problem}): S3 will most likely refuse it (MalformedPolicy)`);
  if (diff && current.state !== 'no-bucket') diffFindings(findings, uri, diff, proposed, wasPublic);
  return findings;
}
