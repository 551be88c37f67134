import { statementContentKey, statementsOf, type BucketPolicyInput, type BucketStatementInput } from './bucket-policy-document';

/*
 * A statement-by-statement comparison of two bucket policies. IAM's identity-policy diff
 * (operations/iam-policy-diff.ts) reads no Principal, the element a bucket policy turns on; this
 * one compares whole statements by meaning. At the root of operations/ because s3.putBucketPolicy
 * and aws.call's S3 preview hook both diff bucket policies.
 */

/** A statement and its 1-based position in its document (for labels of statements without a Sid). */
export interface PositionedStatement {
  statement: BucketStatementInput;
  position: number;
}

/** What a new bucket policy adds, removes and keeps of the current one. */
export interface BucketPolicyDiff {
  /** Statements of the new policy that the current one does not have, in the new policy's order. */
  added: PositionedStatement[];
  /** Statements of the current policy that the new one does not have, in the current policy's order. */
  removed: PositionedStatement[];
  /** Statements both have (Sids aside). */
  unchanged: number;
}

/**
 * Compares two policies statement by statement, by meaning (`statementContentKey`): a statement
 * whose Sid alone changed is unchanged, one whose principal, actions, resources or conditions
 * changed is removed and added. Duplicates count as often as they appear. No current policy:
 * every statement is added.
 */
export function diffBucketPolicies(current: BucketPolicyInput | undefined, proposed: BucketPolicyInput): BucketPolicyDiff {
  const remaining = new Map<string, PositionedStatement[]>();
  (current ? statementsOf(current) : []).forEach((statement, index) => {
    const key = statementContentKey(statement);
    remaining.set(key, [...(remaining.get(key) ?? []), { statement, position: index + 1 }]);
  });
  const added: PositionedStatement[] = [];
  let unchanged = 0;
  statementsOf(proposed).forEach((statement, index) => {
    const matches = remaining.get(statementContentKey(statement));
    if (matches && matches.length > 0) {
      matches.shift();
      unchanged += 1;
    } else {
      added.push({ statement, position: index + 1 });
    }
  });
  const removed = [...remaining.values()].flat().sort((a, b) => a.position - b.position);
  return { added, removed, unchanged };
}
