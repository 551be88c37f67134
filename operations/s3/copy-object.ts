import { defineOperation } from '../sdk';
import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { LONGEST_PARTITION, s3BucketArn, s3CopySource, s3ObjectArn, s3Uri } from '../arn';
import { PreconditionFailedError } from '../preconditions';
import { fitsSessionPolicyLimit } from '../session-time';
import { MAX_SESSION_POLICY_CHARS } from '../types';
import type { ExecutionContext, IamPolicyDocument, IamStatement, OperationContext, OperationOutcome, OperationPreview, PreviewFact } from '../types';
import { withClient } from '../with-client';
import { loadS3Sdk } from '../s3-sdk';
import { isPreconditionFailed, s3Client, type S3Sender } from './client';
import { httpStatus } from '../aws-error';
import { formatBytes } from '../format';
import { bucketName, objectKey } from '../s3-names';

const copyObjectFields = z.strictObject({
  sourceBucket: bucketName,
  sourceKey: objectKey,
  destinationBucket: bucketName,
  destinationKey: objectKey,
});

export type CopyObjectParams = z.infer<typeof copyObjectFields>;

/** Params of `s3.copyObject`: exactly these four fields, each checked, and a policy that fits STS. */
export const copyObjectParams = copyObjectFields
  .refine((p) => p.sourceBucket !== p.destinationBucket || p.sourceKey !== p.destinationKey, {
    error: 'destination must differ from source',
    path: ['destinationKey'],
  })
  .refine((p) => fitsSessionPolicyLimit(copyObjectSessionPolicy(p, LONGEST_PARTITION)), {
    error: `source and destination names are too long together: the session policy would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit`,
  });

/** Read exactly the source object, write exactly the destination object; nothing else. */
export function copyObjectSessionPolicy(params: CopyObjectParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['s3:GetObject'], Resource: [s3ObjectArn(partition, params.sourceBucket, params.sourceKey)] },
      { Effect: 'Allow', Action: ['s3:PutObject'], Resource: [s3ObjectArn(partition, params.destinationBucket, params.destinationKey)] },
    ],
  };
}

function summarize(params: CopyObjectParams): string {
  return `copy ${s3Uri(params.sourceBucket, params.sourceKey)} to ${s3Uri(params.destinationBucket, params.destinationKey)}`;
}

/**
 * What `s3.copyObject` binds its execution to: the source's content as previewed. The copy sends
 * it as `CopySourceIfMatch`, so S3 copies that content or nothing.
 */
export const copyObjectPreconditions = z.strictObject({
  /** The source's ETag, quotes included, as the preview read it; null when the preview could not read the source. */
  sourceETag: z.string().min(1).nullable(),
});

export type CopyObjectPreconditions = z.infer<typeof copyObjectPreconditions>;

/**
 * Copies exactly the previewed content. S3 enforces `CopySourceIfMatch` atomically (412 when the
 * source changed). The HEAD before it is the same check read first: moto ignores the copy
 * condition, and it lets the failure say what the source is now. Nothing is written when either
 * finds another ETag.
 */
export async function copyAsPreviewed(params: CopyObjectParams, s3: S3Sender, preconditions: CopyObjectPreconditions): Promise<OperationOutcome> {
  const sourceUri = s3Uri(params.sourceBucket, params.sourceKey);
  const reviewed = preconditions.sourceETag;
  const now = await headOrAbsent(s3, params.sourceBucket, params.sourceKey);
  if (reviewed === null) {
    // Nothing was reviewed. Still missing: the copy fails as it would have. There now: unreviewed content.
    if (!now) throw new SourceMissingError(`${sourceUri} does not exist (nor did it when previewed); nothing was copied`);
    throw new PreconditionFailedError(
      `${sourceUri} exists now (ETag ${now.ETag ?? '(none)'}), but the preview could not read it (it did not exist, or its metadata was refused), ` +
        'so no reviewed content can be copied; nothing was copied. Request the copy again to preview it',
    );
  }
  if (now?.ETag !== reviewed) throw new PreconditionFailedError(sourceChanged(sourceUri, reviewed, now));
  const { CopyObjectCommand } = await loadS3Sdk();
  let response;
  try {
    response = await s3.send(
      new CopyObjectCommand({
        CopySource: s3CopySource(params.sourceBucket, params.sourceKey),
        CopySourceIfMatch: reviewed,
        Bucket: params.destinationBucket,
        Key: params.destinationKey,
        // The copy carries no tags, so neither s3:GetObjectTagging nor s3:PutObjectTagging is needed.
        TaggingDirective: 'REPLACE',
      }),
    );
  } catch (err) {
    // Replaced between the HEAD and the copy: S3 refused to copy (412 PreconditionFailed).
    if (!isPreconditionFailed(err)) throw err;
    const replaced = await headOrAbsent(s3, params.sourceBucket, params.sourceKey).catch(() => null); // only for the message
    throw new PreconditionFailedError(
      replaced === null
        ? `${sourceUri} changed after the preview: S3 refused to copy anything but ETag ${reviewed}; nothing was copied`
        : sourceChanged(sourceUri, reviewed, replaced),
    );
  }
  return {
    summary: summarize(params),
    outputs: {
      destination: s3Uri(params.destinationBucket, params.destinationKey),
      etag: response.CopyObjectResult?.ETag ?? '',
      ...(response.VersionId ? { versionId: response.VersionId } : {}),
    },
  };
}

/** The source is missing, as the preview found it: the failure the copy itself would have met (NoSuchKey, not retried). */
class SourceMissingError extends Error {
  override readonly name = 'NoSuchKey';
  /** Classified like the AWS error (activities/aws-errors.ts): a client error, not retryable. */
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 404 };
}

/**
 * HeadObject, or undefined when the object does not exist (404). Anything else (a 403 from a
 * changed bucket policy, or from the session's time bound) passes through as the AWS error it is.
 */
async function headOrAbsent(s3: S3Sender, bucket: string, key: string): Promise<HeadObjectCommandOutput | undefined> {
  const { HeadObjectCommand } = await loadS3Sdk();
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  }
}

/** What the failure says: the ETag that was reviewed, and what the source is now. */
function sourceChanged(sourceUri: string, reviewed: string, now: HeadObjectCommandOutput | undefined): string {
  const was = `the preview read ETag ${reviewed}`;
  if (!now) return `${sourceUri} was deleted after the preview (${was}); nothing was copied`;
  return `${sourceUri} changed after the preview: ${was}, it now has ETag ${now.ETag ?? '(none)'} (${describeObject(now)}); nothing was copied`;
}

async function execute(params: CopyObjectParams, context: ExecutionContext<CopyObjectPreconditions>): Promise<OperationOutcome> {
  return withClient(await s3Client(context), (s3) => copyAsPreviewed(params, s3, context.preconditions));
}

/** CopyObject copies at most 5 GB in one request; larger objects need a multipart copy. */
const COPY_OBJECT_MAX_BYTES = 5 * 1024 ** 3;

/**
 * May list exactly one key name: `ListObjectsV2` whose prefix is the key itself, one key at most.
 * Without s3:ListBucket, S3 answers 403 rather than 404 for a missing object, so "does not exist"
 * could not be told from "may not be read". The prefix condition admits only a listing whose
 * prefix is exactly the key (StringEquals: no wildcards), and max-keys ≤ 1 returns at most one
 * name: the key itself when it exists (it sorts before every longer key it prefixes), otherwise
 * one other key that starts with it, which the preview does not report.
 */
function listOnlyKeyStatement(partition: string, bucket: string, key: string): IamStatement {
  return {
    Effect: 'Allow',
    Action: ['s3:ListBucket'],
    Resource: [s3BucketArn(partition, bucket)],
    Condition: { StringEquals: { 's3:prefix': key }, NumericLessThanEquals: { 's3:max-keys': '1' } },
  };
}

/**
 * Read-only: HeadObject (authorized as s3:GetObject) on exactly the source and destination
 * objects, and the one-key listing of each that tells 404 from 403. The listing names each key
 * twice more; when that would not fit the STS limit (time bound included), the policy keeps only the GetObject statement
 * and a denied HEAD is reported as unknown rather than as missing. GetBucketLocation is not granted.
 */
export function copyObjectPreviewPolicy(params: CopyObjectParams, partition: string): IamPolicyDocument {
  const read: IamStatement = {
    Effect: 'Allow',
    Action: ['s3:GetObject'],
    Resource: [s3ObjectArn(partition, params.sourceBucket, params.sourceKey), s3ObjectArn(partition, params.destinationBucket, params.destinationKey)],
  };
  const withListing: IamPolicyDocument = {
    Version: '2012-10-17',
    Statement: [
      read,
      listOnlyKeyStatement(partition, params.sourceBucket, params.sourceKey),
      listOnlyKeyStatement(partition, params.destinationBucket, params.destinationKey),
    ],
  };
  if (fitsSessionPolicyLimit(withListing)) return withListing;
  return { Version: '2012-10-17', Statement: [read] };
}

/** Whether the preview policy for these params lets the preview list (and so tell 403 from 404). */
export function copyObjectPreviewMayList(params: CopyObjectParams, partition: string): boolean {
  return copyObjectPreviewPolicy(params, partition).Statement.some((statement) => statement.Action.includes('s3:ListBucket'));
}

/** What the preview learnt about one object. */
type ObjectState =
  | { state: 'present'; head: HeadObjectCommandOutput }
  /** Listed, but HEAD was refused (bucket policy, KMS, SSE-C): its size and type are unknown. */
  | { state: 'unreadable' }
  | { state: 'absent' }
  | { state: 'unknown' };

async function inspectObject(s3: S3Sender, bucket: string, key: string, mayList: boolean): Promise<ObjectState> {
  const { HeadObjectCommand, ListObjectsV2Command } = await loadS3Sdk();
  try {
    return { state: 'present', head: await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key })) };
  } catch (err) {
    const status = httpStatus(err);
    // 404: the object (or its bucket) does not exist; HEAD responses carry no body to say which.
    if (status === 404) return { state: 'absent' };
    if (status !== 403) throw err;
  }
  if (!mayList) return { state: 'unknown' };
  try {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
    return listed.Contents?.[0]?.Key === key ? { state: 'unreadable' } : { state: 'absent' };
  } catch (err) {
    const status = httpStatus(err);
    if (status === 404) return { state: 'absent' }; // NoSuchBucket
    if (status === 403) return { state: 'unknown' };
    throw err;
  }
}

function existsFact(object: ObjectState): PreviewFact {
  if (object.state === 'unknown') return null;
  return object.state !== 'absent';
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** `2.1 MB (text/csv, modified 2026-11-01)`, leaving out what S3 did not say. */
function describeObject(head: HeadObjectCommandOutput): string {
  const details = [head.ContentType, head.LastModified ? `modified ${day(head.LastModified)}` : undefined].filter(Boolean);
  const size = head.ContentLength === undefined ? 'an object of unknown size' : formatBytes(head.ContentLength);
  return details.length > 0 ? `${size} (${details.join(', ')})` : size;
}

/**
 * The impact of a copy, read with HeadObject (and, where HEAD is refused, a one-key listing) on
 * the source and the destination. Facts: `sourceExists` and `destinationExists` (true, false, or
 * null when access was denied), and when the object could be read `sourceBytes`,
 * `sourceContentType`, `sourceLastModified`, `sourceETag`, `destinationBytes`,
 * `destinationLastModified`.
 */
export async function previewCopyObject(params: CopyObjectParams, s3: S3Sender, options: { mayList: boolean }): Promise<OperationPreview> {
  const sourceUri = s3Uri(params.sourceBucket, params.sourceKey);
  const destinationUri = s3Uri(params.destinationBucket, params.destinationKey);
  const [source, destination] = await Promise.all([
    inspectObject(s3, params.sourceBucket, params.sourceKey, options.mayList),
    inspectObject(s3, params.destinationBucket, params.destinationKey, options.mayList),
  ]);

  const facts: OperationPreview['facts'] = { sourceExists: existsFact(source) };
  const notes: string[] = [];
  const warnings: string[] = [];

  if (source.state === 'present') {
    const { head } = source;
    if (head.ContentLength !== undefined) facts.sourceBytes = head.ContentLength;
    if (head.ContentType !== undefined) facts.sourceContentType = head.ContentType;
    if (head.LastModified !== undefined) facts.sourceLastModified = head.LastModified.toISOString();
    if (head.ETag !== undefined) facts.sourceETag = head.ETag;
    if (head.ContentLength !== undefined && head.ContentLength > COPY_OBJECT_MAX_BYTES) {
      warnings.push(`${sourceUri} is ${formatBytes(head.ContentLength)}: CopyObject copies at most 5 GiB, so the copy would fail`);
    }
  } else if (source.state === 'absent') {
    warnings.push(`source ${sourceUri} does not exist: the copy would fail`);
  } else if (source.state === 'unreadable') {
    warnings.push(`source ${sourceUri} exists but its metadata could not be read (HeadObject denied): the copy may fail`);
  } else {
    warnings.push(`could not tell whether source ${sourceUri} exists: access denied`);
  }

  facts.destinationExists = existsFact(destination);
  let destinationState: string;
  if (destination.state === 'present') {
    const { head } = destination;
    if (head.ContentLength !== undefined) facts.destinationBytes = head.ContentLength;
    if (head.LastModified !== undefined) facts.destinationLastModified = head.LastModified.toISOString();
    destinationState = `exists and would be overwritten (${describeObject(head)})`;
    warnings.push(`${destinationUri} ${destinationState}`);
  } else if (destination.state === 'absent') {
    destinationState = 'does not exist yet';
  } else if (destination.state === 'unreadable') {
    destinationState = 'exists and would be overwritten (its metadata could not be read)';
    warnings.push(`${destinationUri} ${destinationState}`);
  } else {
    destinationState = 'may or may not exist (access denied)';
    warnings.push(`could not tell whether ${destinationUri} exists: access denied`);
  }

  const what =
    source.state === 'present'
      ? describeObject(source.head)
      : source.state === 'absent'
        ? `${sourceUri}, which does not exist,`
        : source.state === 'unreadable'
          ? `${sourceUri}, whose size and type could not be read,`
          : `${sourceUri}, which may or may not exist (access denied),`;
  notes.push(`copies ${what} to ${destinationUri}, which ${destinationState}`);
  if (source.state === 'present' && destination.state === 'present' && source.head.ETag !== undefined && source.head.ETag === destination.head.ETag) {
    notes.push(`${destinationUri} already has the same content as the source (same ETag)`);
  }
  // What was reviewed is what runs: the copy takes this content or fails.
  const sourceETag = source.state === 'present' ? (source.head.ETag ?? null) : null;
  if (sourceETag !== null) {
    notes.push(`the copy is bound to this content (ETag ${sourceETag}): if the source changes before it runs, the action fails`);
  } else if (source.state !== 'absent') {
    // An absent source already warns that the copy would fail.
    warnings.push(`the copy cannot run: no content of ${sourceUri} was read, so none can be approved`);
  }
  return { facts, notes, warnings, preconditions: { sourceETag } satisfies CopyObjectPreconditions };
}

async function preview(params: CopyObjectParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(await s3Client(context), async (s3) => {
    return await previewCopyObject(params, s3, { mayList: copyObjectPreviewMayList(params, context.partition) });
  });
}

/**
 * After an attempt whose outcome is unknown: the copy is in place when the destination holds the
 * previewed content (an object with the ETag the preview read from the source). A CopyObject of a
 * single-part object keeps its ETag; where it would not (multipart or SSE-KMS sources), the ETags
 * differ and the copy simply runs again, which is safe. Comparing with the previewed ETag rather
 * than the source's current one means a source changed after a successful copy does not turn the
 * retry into a failure. Runs with the preview policy: HeadObject on the destination only.
 */
export async function findCopyApplied(params: CopyObjectParams, s3: S3Sender, preconditions: CopyObjectPreconditions): Promise<OperationOutcome | undefined> {
  if (preconditions.sourceETag === null) return undefined;
  const destination = await inspectObject(s3, params.destinationBucket, params.destinationKey, false);
  if (destination.state !== 'present' || destination.head.ETag !== preconditions.sourceETag) return undefined;
  return {
    summary: summarize(params),
    outputs: {
      destination: s3Uri(params.destinationBucket, params.destinationKey),
      etag: preconditions.sourceETag,
      ...(destination.head.VersionId ? { versionId: destination.head.VersionId } : {}),
    },
  };
}

/** `s3.copyObject`: export one object to another bucket (or key). Copying again yields the same object. */
export const s3CopyObject = defineOperation<CopyObjectParams, CopyObjectPreconditions>({
  name: 's3.copyObject',
  title: 'Copy an S3 object',
  description:
    'Copies one S3 object to another bucket and key (server-side CopyObject, up to 5 GB). Metadata is copied; tags are not. ' +
    'The session may read only the source object and write only the destination object. ' +
    'It copies only the content the preview read (CopySourceIfMatch on its ETag); a source replaced since fails the action.',
  params: copyObjectParams,
  idempotent: true,
  // A HEAD and the start of one CopyObject: S3 authorizes a copy when it starts, however long it then takes.
  runningTimeSeconds: 30,
  summarize,
  sessionPolicy: copyObjectSessionPolicy,
  execute,
  previewPolicy: copyObjectPreviewPolicy,
  preview,
  preconditions: copyObjectPreconditions,
  findApplied: async (params, context) => withClient(await s3Client(context), (s3) => findCopyApplied(params, s3, context.preconditions)),
  examples: [{ sourceBucket: 'airlock-source', sourceKey: 'reports/2026-q3.csv', destinationBucket: 'airlock-exports', destinationKey: 'partner/2026-q3.csv' }],
});
