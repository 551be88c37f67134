import { CopyObjectCommand, HeadObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { assertPartition, s3CopySource } from './arn';
import { bucketName, formatBytes, objectKey, s3BucketArn, s3Client } from './s3-copy-object';
import type { IamPolicyDocument, IamStatement, Operation, OperationContext, OperationOutcome, OperationPreview } from './types';
import { withClient } from './with-client';

/** Objects listed per page while copying; progress is recorded after each object. */
const PAGE_SIZE = 100;
/** The preview counts at most this many objects, so a huge prefix cannot stall review. */
const PREVIEW_LIMIT = 100_000;
/** CopyObject's limit: larger objects need a multipart copy, which this operation does not do. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

/** A key prefix: the same literal rules as a key (no IAM wildcards), and non-empty so the grant stays bounded. */
const keyPrefix = objectKey;

export const exportPrefixParams = z
  .strictObject({
    sourceBucket: bucketName,
    sourcePrefix: keyPrefix,
    destinationBucket: bucketName,
    destinationPrefix: keyPrefix,
  })
  .refine((p) => p.sourceBucket !== p.destinationBucket || !overlaps(p.sourcePrefix, p.destinationPrefix), {
    error: 'destination prefix must not overlap the source prefix in the same bucket (the export would copy its own output)',
    path: ['destinationPrefix'],
  });

export type ExportPrefixParams = z.infer<typeof exportPrefixParams>;

function overlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** Progress recorded in heartbeats: where to resume and what was done. Keys only, nothing secret. */
interface ExportProgress {
  startAfter: string;
  copied: number;
  skipped: number;
  bytes: number;
}

function listUnder(partition: string, bucket: string, prefix: string): IamStatement {
  return {
    Effect: 'Allow',
    Action: ['s3:ListBucket'],
    Resource: [s3BucketArn(partition, bucket)],
    Condition: { StringLike: { 's3:prefix': `${prefix}*` } },
  };
}

function objectsUnder(partition: string, bucket: string, prefix: string): string {
  return `arn:${assertPartition(partition)}:s3:::${bucket}/${prefix}*`;
}

/**
 * Read the source prefix, and read-then-write the destination prefix: the `*` after each prefix is
 * the point of the operation (every object under it) and is bounded by the prefix. Reading the
 * destination (HeadObject) and listing it (so a missing object is 404, not 403) is what lets a
 * resumed export skip what an earlier attempt already copied.
 */
export function exportPrefixSessionPolicy(params: ExportPrefixParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ListSourcePrefix', ...listUnder(partition, params.sourceBucket, params.sourcePrefix) },
      { Sid: 'ReadSourceObjects', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [objectsUnder(partition, params.sourceBucket, params.sourcePrefix)] },
      { Sid: 'ListDestinationPrefix', ...listUnder(partition, params.destinationBucket, params.destinationPrefix) },
      {
        Sid: 'CheckAndWriteDestinationObjects',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: [objectsUnder(partition, params.destinationBucket, params.destinationPrefix)],
      },
    ],
  };
}

/** Listing only: counts and sizes, never object contents. */
export function exportPrefixPreviewPolicy(params: ExportPrefixParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Sid: 'ListSourcePrefix', ...listUnder(partition, params.sourceBucket, params.sourcePrefix) },
      { Sid: 'ListDestinationPrefix', ...listUnder(partition, params.destinationBucket, params.destinationPrefix) },
    ],
  };
}

/** Every object under a prefix, page by page, in key order, optionally after a key. */
async function* listObjects(s3: S3Client, bucket: string, prefix: string, startAfter?: string) {
  let continuationToken: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: PAGE_SIZE,
        ...(continuationToken ? { ContinuationToken: continuationToken } : startAfter ? { StartAfter: startAfter } : {}),
      }),
    );
    for (const object of page.Contents ?? []) if (object.Key) yield { key: object.Key, size: object.Size ?? 0, etag: object.ETag };
    continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (continuationToken);
}

async function count(s3: S3Client, bucket: string, prefix: string): Promise<{ objects: number; bytes: number; truncated: boolean }> {
  let objects = 0;
  let bytes = 0;
  for await (const object of listObjects(s3, bucket, prefix)) {
    if (objects === PREVIEW_LIMIT) return { objects, bytes, truncated: true };
    objects += 1;
    bytes += object.size;
  }
  return { objects, bytes, truncated: false };
}

async function preview(params: ExportPrefixParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(s3Client(context), async (s3) => {
    const [source, destination] = await Promise.all([
      count(s3, params.sourceBucket, params.sourcePrefix),
      count(s3, params.destinationBucket, params.destinationPrefix),
    ]);
    const atLeast = source.truncated ? 'at least ' : '';
    const warnings = [
      ...(source.objects === 0 ? [`nothing to export: no object under s3://${params.sourceBucket}/${params.sourcePrefix}`] : []),
      ...(destination.objects > 0 ? [`${destination.objects} object(s) already under the destination prefix; same-named ones with the same content are skipped, others overwritten`] : []),
    ];
    return {
      facts: {
        objectCount: source.objects,
        totalBytes: source.bytes,
        countTruncated: source.truncated,
        destinationObjectCount: destination.objects,
      },
      notes: [
        `copies ${atLeast}${source.objects} object(s), ${atLeast}${formatBytes(source.bytes)}, from s3://${params.sourceBucket}/${params.sourcePrefix} to s3://${params.destinationBucket}/${params.destinationPrefix}`,
      ],
      warnings,
    };
  });
}

/**
 * Copies in key order, recording progress after each object. A retry (after a crash or a
 * transient error) resumes after the last recorded key, and skips any object whose copy already
 * exists with the same ETag, so no object is copied twice even if the last report was lost.
 */
async function execute(params: ExportPrefixParams, context: OperationContext): Promise<OperationOutcome> {
  const resumed = asProgress(context.progress?.resumeFrom());
  const progress: ExportProgress = resumed ?? { startAfter: '', copied: 0, skipped: 0, bytes: 0 };
  await withClient(s3Client(context), async (s3) => {
    for await (const object of listObjects(s3, params.sourceBucket, params.sourcePrefix, progress.startAfter || undefined)) {
      if (object.size > MAX_COPY_BYTES) throw new ObjectTooLargeError(object.key, object.size);
      const destinationKey = params.destinationPrefix + object.key.slice(params.sourcePrefix.length);
      if (await alreadyCopied(s3, params.destinationBucket, destinationKey, object.etag)) {
        progress.skipped += 1;
      } else {
        await s3.send(
          new CopyObjectCommand({
            Bucket: params.destinationBucket,
            Key: destinationKey,
            CopySource: s3CopySource(params.sourceBucket, object.key),
            TaggingDirective: 'REPLACE',
          }),
        );
        progress.copied += 1;
        progress.bytes += object.size;
      }
      progress.startAfter = object.key;
      context.progress?.report({ ...progress });
    }
  });
  return {
    summary: `exported ${progress.copied} object(s) (${formatBytes(progress.bytes)}) from s3://${params.sourceBucket}/${params.sourcePrefix} to s3://${params.destinationBucket}/${params.destinationPrefix}${progress.skipped ? `; ${progress.skipped} already there` : ''}`,
    outputs: {
      copied: progress.copied,
      skipped: progress.skipped,
      bytes: progress.bytes,
      destination: `s3://${params.destinationBucket}/${params.destinationPrefix}`,
      resumed: resumed !== undefined,
    },
  };
}

async function alreadyCopied(s3: S3Client, bucket: string, key: string, etag: string | undefined): Promise<boolean> {
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return etag !== undefined && head.ETag === etag;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw err;
  }
}

function asProgress(details: unknown): ExportProgress | undefined {
  if (!details || typeof details !== 'object') return undefined;
  const d = details as Partial<ExportProgress>;
  if (typeof d.startAfter !== 'string' || typeof d.copied !== 'number' || typeof d.skipped !== 'number' || typeof d.bytes !== 'number') {
    return undefined;
  }
  return { startAfter: d.startAfter, copied: d.copied, skipped: d.skipped, bytes: d.bytes };
}

/** An object CopyObject cannot copy in one request; retrying will not help. */
class ObjectTooLargeError extends Error {
  override readonly name = 'ObjectTooLarge';
  readonly $fault = 'client';
  constructor(key: string, size: number) {
    super(`${key} is ${formatBytes(size)}: objects over 5 GiB need a multipart copy, which s3.exportPrefix does not do`);
  }
}

/** `s3.exportPrefix`: the bulk "dataset export" — every object under a prefix, to another bucket or prefix. */
export const s3ExportPrefix: Operation<ExportPrefixParams> = {
  name: 's3.exportPrefix',
  title: 'Export a prefix',
  description: 'Copy every object under an S3 prefix to another bucket and prefix; resumable, never copies an object twice.',
  params: exportPrefixParams,
  idempotent: true, // a repeat skips objects already copied with the same ETag
  summarize: (p) => `copy every object under s3://${p.sourceBucket}/${p.sourcePrefix} to s3://${p.destinationBucket}/${p.destinationPrefix}`,
  sessionPolicy: exportPrefixSessionPolicy,
  execute,
  previewPolicy: exportPrefixPreviewPolicy,
  preview,
};
