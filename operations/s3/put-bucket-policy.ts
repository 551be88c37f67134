import { z } from 'zod';
import {
  defineOperation,
  jsonDigest,
  PreconditionFailedError,
  s3BucketArn,
  sha256Hex,
  shortDigest,
  withClient,
  type ExecutionContext,
  type IamPolicyDocument,
  type OperationContext,
  type OperationOutcome,
  type OperationPreview,
  type PreviewFact,
} from '../sdk';
import {
  bucketPolicyDocument,
  canonicalPolicyDigest,
  describeStatement,
  readBucketPolicy,
  statementLabel,
  statementsOf,
  type BucketPolicyInput,
  type StoredBucketPolicy,
} from '../bucket-policy-document';
import { diffBucketPolicies, type PositionedStatement } from '../bucket-policy-diff';
import { loadS3Sdk } from '../s3-sdk';
import { s3Client, type S3Sender } from './client';
import { errorName, httpStatus } from '../aws-error';
import { bucketName } from '../s3-names';
import { grantsPublicAccess, statementGrantsPublicAccess } from '../bucket-policy-public';

/** Params of `s3.putBucketPolicy`: the bucket, the whole new policy, and optionally the account that must own the bucket. */
export const putBucketPolicyParams = z.strictObject({
  bucket: bucketName,
  policy: bucketPolicyDocument,
  // Sent as ExpectedBucketOwner: S3 answers 403 rather than act on a bucket another account owns.
  expectedBucketOwner: z
    .string()
    .regex(/^\d{12}$/, 'expectedBucketOwner must be a 12-digit AWS account id')
    .optional(),
});

export type PutBucketPolicyParams = z.infer<typeof putBucketPolicyParams>;

/**
 * What `s3.putBucketPolicy` binds its execution to: the bucket policy the diff was computed
 * against, as a digest of its JSON value, or null when the bucket had none (or did not exist).
 * PutBucketPolicy has no conditional form, so the execution reads the policy again just before it
 * writes.
 */
export const putBucketPolicyPreconditions = z.strictObject({
  currentPolicySha256: sha256Hex.nullable(),
});

export type PutBucketPolicyPreconditions = z.infer<typeof putBucketPolicyPreconditions>;

/** s3:PutBucketPolicy on exactly the bucket, and s3:GetBucketPolicy on it for the recheck just before the write. */
export function putBucketPolicySessionPolicy(params: PutBucketPolicyParams, partition: string): IamPolicyDocument {
  const bucket = s3BucketArn(partition, params.bucket);
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:PutBucketPolicy'], Resource: [bucket] },
      { Effect: 'Allow', Action: ['s3:GetBucketPolicy'], Resource: [bucket] },
    ],
  };
}

/** Reads only, on exactly the bucket: its policy, and its public access block (would S3 refuse a public policy?). */
export function putBucketPolicyPreviewPolicy(params: PutBucketPolicyParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['s3:GetBucketPolicy', 's3:GetBucketPublicAccessBlock'], Resource: [s3BucketArn(partition, params.bucket)] }],
  };
}

function statementCount(n: number): string {
  return `${n} ${n === 1 ? 'statement' : 'statements'}`;
}

function bucketUri(bucket: string): string {
  return `s3://${bucket}`;
}

function summarize(params: PutBucketPolicyParams): string {
  const owner = params.expectedBucketOwner === undefined ? '' : ` (owned by account ${params.expectedBucketOwner})`;
  const details = [statementCount(params.policy.Statement.length), ...(grantsPublicAccess(params.policy) ? ['public'] : [])];
  return `replace the bucket policy of ${bucketUri(params.bucket)}${owner} (${details.join(', ')})`;
}

/** The bucket's policy: what S3 holds, `none` (NoSuchBucketPolicy), or `no-bucket` (NoSuchBucket). Other errors pass through. */
type CurrentPolicy = { state: 'present'; stored: StoredBucketPolicy } | { state: 'none' } | { state: 'no-bucket' };

async function readCurrentPolicy(params: PutBucketPolicyParams, s3: S3Sender): Promise<CurrentPolicy> {
  const { GetBucketPolicyCommand } = await loadS3Sdk();
  try {
    const response = await s3.send(new GetBucketPolicyCommand({ Bucket: params.bucket, ExpectedBucketOwner: params.expectedBucketOwner }));
    return { state: 'present', stored: readBucketPolicy(response.Policy ?? '') };
  } catch (err) {
    const name = errorName(err);
    if (name === 'NoSuchBucketPolicy') return { state: 'none' };
    if (name === 'NoSuchBucket') return { state: 'no-bucket' };
    throw err;
  }
}

/** The digest the preconditions hold for what was read: null for no policy (and no bucket). */
function digestOf(current: CurrentPolicy): string | null {
  return current.state === 'present' ? current.stored.sha256 : null;
}

/**
 * The bucket's own BlockPublicPolicy setting: true or false, or null when it could not be read
 * (access denied, or the bucket is missing). No configuration at all means nothing is blocked.
 */
async function readBlockPublicPolicy(params: PutBucketPolicyParams, s3: S3Sender): Promise<boolean | null> {
  const { GetPublicAccessBlockCommand } = await loadS3Sdk();
  try {
    const response = await s3.send(new GetPublicAccessBlockCommand({ Bucket: params.bucket, ExpectedBucketOwner: params.expectedBucketOwner }));
    return response.PublicAccessBlockConfiguration?.BlockPublicPolicy === true;
  } catch (err) {
    if (errorName(err) === 'NoSuchPublicAccessBlockConfiguration') return false;
    const status = httpStatus(err);
    if (status === 403 || status === 404) return null;
    throw err;
  }
}

/** Reviewers read every statement added or removed, up to this many of each; the detail lists them all. */
const MAX_STATEMENT_NOTES = 10;

function statementNotes(verb: string, statements: PositionedStatement[]): string[] {
  const notes = statements.slice(0, MAX_STATEMENT_NOTES).map(({ statement, position }) => {
    const label = statementLabel(statement, position);
    return `${verb} ${label}: ${describeStatement(statement)}`;
  });
  if (statements.length > MAX_STATEMENT_NOTES) notes.push(`… and ${statements.length - MAX_STATEMENT_NOTES} more (see the detail)`);
  return notes;
}

/** Statements whose resources are not this bucket or its objects: S3 refuses such a policy (MalformedPolicy). */
function outsideBucket(document: BucketPolicyInput, bucket: string): string[] {
  const inBucket = new RegExp(`^arn:[a-z-]+:s3:::${bucket.replace(/\./g, '\\.')}(/.*)?$`, 's');
  return statementsOf(document).flatMap((statement, index) => {
    const resources = statement.Resource === undefined ? [] : Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
    const outside = resources.filter((resource) => !inBucket.test(resource));
    return outside.length > 0 ? [`${statementLabel(statement, index + 1)} (${outside.join(', ')})`] : [];
  });
}

/** The policy's public statements, labelled, with the verb that fits: `statement "PublicRead" allows`. */
function publicStatements(document: BucketPolicyInput): string {
  const labels = statementsOf(document).flatMap((statement, index) => (statementGrantsPublicAccess(statement) ? [statementLabel(statement, index + 1)] : []));
  return `${labels.join(', ')} ${labels.length === 1 ? 'allows' : 'allow'}`;
}

/** `+ {...}` / `- {...}` lines, each statement's JSON as written, then the unchanged count. */
function diffDetail(added: PositionedStatement[], removed: PositionedStatement[], unchanged: number): string {
  const lines = [...removed.map(({ statement }) => `- ${JSON.stringify(statement)}`), ...added.map(({ statement }) => `+ ${JSON.stringify(statement)}`)];
  if (unchanged > 0) lines.push(`  (${statementCount(unchanged)} unchanged)`);
  return lines.length > 0 ? lines.join('\n') : 'no statements';
}

/**
 * The impact of putting the policy: the current policy (NoSuchBucketPolicy: none yet) compared
 * with the new one statement by statement, whether each grants public access, and whether the
 * bucket's public access block would make S3 refuse a public one. Facts: `bucketExists`,
 * `policyExists`, `statements`, `addedStatements`, `removedStatements`, `unchangedStatements`,
 * `grantsPublicAccess`, `currentlyGrantsPublicAccess`, `blockPublicPolicy`, `refusedByPublicAccessBlock`.
 */
export async function previewPutBucketPolicy(params: PutBucketPolicyParams, s3: S3Sender): Promise<OperationPreview> {
  const uri = bucketUri(params.bucket);
  const [current, blockPublicPolicy] = await Promise.all([readCurrentPolicy(params, s3), readBlockPublicPolicy(params, s3)]);
  const proposed = params.policy;
  const notes: string[] = [];
  const warnings: string[] = [];
  const proposedCount = statementCount(proposed.Statement.length);

  // The current document, when there is one this code can read; the diff and the public check need it.
  const readable = current.state === 'present' && current.stored.readable ? current.stored.document : undefined;
  const diff = current.state === 'present' && !current.stored.readable ? undefined : diffBucketPolicies(readable, proposed);
  const isPublic = grantsPublicAccess(proposed);
  const wasPublic: PreviewFact = current.state !== 'present' ? false : readable ? grantsPublicAccess(readable) : null;

  if (current.state === 'no-bucket') {
    warnings.push(`bucket ${uri} does not exist: the put would fail (NoSuchBucket)`);
  } else if (current.state === 'none') {
    notes.push(`sets the first bucket policy of ${uri}, with ${proposedCount}`);
  } else if (readable) {
    notes.push(`replaces the bucket policy of ${uri} (${statementCount(statementsOf(readable).length)}) with ${proposedCount}`);
  } else if (!current.stored.readable) {
    warnings.push(
      `the current bucket policy of ${uri} could not be read as a policy document: ${current.stored.problem}. ` +
        `No diff can be shown; the new policy (${proposedCount}) replaces it whole`,
    );
  }
  if (diff) {
    notes.push(`${diff.added.length} added, ${diff.removed.length} removed, ${diff.unchanged} unchanged`);
    notes.push(...statementNotes('removes', diff.removed), ...statementNotes('adds', diff.added));
  }

  if (isPublic) {
    const which = publicStatements(proposed);
    warnings.push(
      wasPublic === true
        ? `the new policy grants public access, as the current one does: ${which} everyone with no condition that limits who`
        : `makes ${uri} public: ${which} everyone with no condition that limits who`,
    );
    if (blockPublicPolicy === true) {
      warnings.push(`the bucket's public access block has BlockPublicPolicy on: S3 will refuse this policy (AccessDenied) and nothing will change`);
    } else {
      const bucketLevel =
        blockPublicPolicy === null ? "the bucket's public access block could not be read" : "the bucket's public access block allows public policies";
      notes.push(`${bucketLevel}; the account's public access block (not read) may still make S3 refuse this policy`);
    }
  } else if (wasPublic === true) {
    notes.push(`${uri} is public under the current policy and would no longer be`);
  }

  const outside = outsideBucket(proposed, params.bucket);
  if (outside.length > 0) {
    warnings.push(`resources outside ${uri} in ${outside.join('; ')}: S3 refuses a bucket policy that names other resources (MalformedPolicy)`);
  }

  const currentSha256 = digestOf(current);
  if (current.state === 'present') {
    notes.push(`the put is bound to the current policy (digest ${shortDigest(current.stored.sha256)}): if it changes before the put runs, the action fails`);
  } else if (current.state === 'none') {
    notes.push('the put is bound to there being no policy: if one is set before the put runs, the action fails');
  }

  return {
    facts: {
      bucketExists: current.state !== 'no-bucket',
      policyExists: current.state === 'present',
      statements: proposed.Statement.length,
      addedStatements: diff ? diff.added.length : null,
      removedStatements: diff ? diff.removed.length : null,
      unchangedStatements: diff ? diff.unchanged : null,
      grantsPublicAccess: isPublic,
      currentlyGrantsPublicAccess: wasPublic,
      blockPublicPolicy,
      refusedByPublicAccessBlock: isPublic && blockPublicPolicy === true,
    },
    notes,
    warnings,
    ...(diff ? { detail: diffDetail(diff.added, diff.removed, diff.unchanged) } : {}),
    preconditions: { currentPolicySha256: currentSha256 } satisfies PutBucketPolicyPreconditions,
  };
}

/** What changed, for the failure: created, deleted, or replaced (with short digests). */
function policyChanged(params: PutBucketPolicyParams, reviewed: string | null, now: string | null): string {
  const policy = `the bucket policy of ${bucketUri(params.bucket)}`;
  const change =
    reviewed === null
      ? 'did not exist when the diff was computed, and exists now'
      : now === null
        ? 'was deleted after the diff was computed'
        : `was replaced after the diff was computed (digest ${shortDigest(reviewed)} then, ${shortDigest(now)} now)`;
  return `${policy} ${change}; nothing was put`;
}

function outcome(params: PutBucketPolicyParams): OperationOutcome {
  return {
    summary: summarize(params),
    outputs: {
      bucket: params.bucket,
      statements: params.policy.Statement.length,
      grantsPublicAccess: grantsPublicAccess(params.policy),
      policySha256: jsonDigest(params.policy),
    },
  };
}

/**
 * Reads the bucket policy again and puts the new one only if it is still the one the diff was
 * computed against. PutBucketPolicy has no conditional form: a change in the moment between this
 * read and the put is not seen. A missing bucket fails as S3 answers it (NoSuchBucket).
 */
export async function putAsPreviewed(params: PutBucketPolicyParams, s3: S3Sender, reviewed: PutBucketPolicyPreconditions): Promise<OperationOutcome> {
  const current = await readCurrentPolicy(params, s3);
  const now = digestOf(current);
  // A bucket deleted since the preview is not a changed policy: the put below fails as S3 says (NoSuchBucket).
  if (current.state !== 'no-bucket' && now !== reviewed.currentPolicySha256) {
    throw new PreconditionFailedError(policyChanged(params, reviewed.currentPolicySha256, now));
  }
  const { PutBucketPolicyCommand } = await loadS3Sdk();
  await s3.send(
    new PutBucketPolicyCommand({
      Bucket: params.bucket,
      // Compact JSON of the document as requested and reviewed, element for element.
      Policy: JSON.stringify(params.policy),
      ExpectedBucketOwner: params.expectedBucketOwner,
    }),
  );
  return outcome(params);
}

/**
 * After an attempt whose outcome is unknown: the put is in place when the bucket's policy is the
 * requested one, compared canonically (S3 may write it back with an account id as a root ARN, or
 * one value as a list). Read under the preview policy.
 */
export async function findPutBucketPolicyApplied(params: PutBucketPolicyParams, s3: S3Sender): Promise<OperationOutcome | undefined> {
  const current = await readCurrentPolicy(params, s3);
  if (current.state !== 'present' || !current.stored.readable) return undefined;
  return canonicalPolicyDigest(current.stored.document) === canonicalPolicyDigest(params.policy) ? outcome(params) : undefined;
}

async function preview(params: PutBucketPolicyParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(await s3Client(context), (s3) => previewPutBucketPolicy(params, s3));
}

async function execute(params: PutBucketPolicyParams, context: ExecutionContext<PutBucketPolicyPreconditions>): Promise<OperationOutcome> {
  return withClient(await s3Client(context), (s3) => putAsPreviewed(params, s3, context.preconditions));
}

/** `s3.putBucketPolicy`: replace one bucket's policy. Putting the same policy again changes nothing. */
export const s3PutBucketPolicy = defineOperation<PutBucketPolicyParams, PutBucketPolicyPreconditions>({
  name: 's3.putBucketPolicy',
  title: 'Replace the policy of an S3 bucket',
  description:
    'Sets the bucket policy of one S3 bucket (PutBucketPolicy) to the given document, replacing any current one. ' +
    'The preview compares it with the current policy statement by statement and flags public access. ' +
    'The session may call only s3:PutBucketPolicy and s3:GetBucketPolicy, only on that bucket; ' +
    'it puts the policy only if the current one is still the one the diff was computed against.',
  params: putBucketPolicyParams,
  // The document can name internal accounts, networks and conditions: reviewers read it, logs do not.
  sensitiveParams: ['policy'] satisfies (keyof PutBucketPolicyParams)[],
  idempotent: true,
  // One read and one write.
  runningTimeSeconds: 30,
  examples: [
    {
      bucket: 'airlock-exports',
      policy: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'PartnerRead',
            Effect: 'Allow',
            Principal: { AWS: 'arn:aws:iam::444455556666:role/partner-reader' },
            Action: ['s3:GetObject'],
            Resource: ['arn:aws:s3:::airlock-exports/partner/*'],
          },
        ],
      },
    },
  ],
  summarize,
  sessionPolicy: putBucketPolicySessionPolicy,
  execute,
  previewPolicy: putBucketPolicyPreviewPolicy,
  preview,
  preconditions: putBucketPolicyPreconditions,
  findApplied: async (params, context) => withClient(await s3Client(context), (s3) => findPutBucketPolicyApplied(params, s3)),
});
