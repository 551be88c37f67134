import { defineOperation } from '../sdk';
import { z } from 'zod';
import { assertPartition, LONGEST_PARTITION, s3BucketArn, s3CopySource } from '../arn';
import { withClientLease, type ClientLease } from '../credential-lease';
import { PreconditionFailedError, sha256Hex } from '../preconditions';
import { fitsSessionPolicyLimit } from '../session-time';
import { MAX_SESSION_POLICY_CHARS } from '../types';
import type { ExecutionContext, IamPolicyDocument, IamStatement, OperationContext, OperationOutcome, OperationPreview } from '../types';
import { loadS3Sdk } from '../s3-sdk';
import { isPreconditionFailed, s3ClientBuilder, type S3Sender } from './client';
import { httpStatus } from '../aws-error';
import { formatBytes } from '../format';
import { listObjects, summarizeManifest, type ManifestEntry, type ManifestSummary } from './manifest';
import { bucketName, objectKey } from '../s3-names';

/**
 * The preview lists at most this many objects, so a huge prefix cannot stall review. A larger
 * export has no reviewed manifest and cannot run: export smaller prefixes.
 */
export const PREVIEW_LIMIT = 100_000;
/** CopyObject's limit: larger objects need a multipart copy, which this operation does not do. */
const MAX_COPY_BYTES = 5 * 1024 ** 3;

/** A key prefix: the same literal rules as a key (no IAM wildcards), and non-empty so the grant stays bounded. */
const keyPrefix = objectKey;

const exportPrefixFields = z.strictObject({
  sourceBucket: bucketName,
  sourcePrefix: keyPrefix,
  destinationBucket: bucketName,
  destinationPrefix: keyPrefix,
});

export type ExportPrefixParams = z.infer<typeof exportPrefixFields>;

export const exportPrefixParams = exportPrefixFields
  .refine((p) => p.sourceBucket !== p.destinationBucket || !overlaps(p.sourcePrefix, p.destinationPrefix), {
    error: 'destination prefix must not overlap the source prefix in the same bucket (the export would copy its own output)',
    path: ['destinationPrefix'],
  })
  .refine((p) => fitsSessionPolicyLimit(exportPrefixSessionPolicy(p, LONGEST_PARTITION)), {
    error: `source and destination prefixes are too long together: the session policy would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit`,
  });

/**
 * What `s3.exportPrefix` binds its execution to: the manifest the preview listed (every key, ETag
 * and size under the source prefix), as a count, a byte total and a digest, so history stays small.
 */
export const exportPrefixPreconditions = z.strictObject({
  objectCount: z.number().int().nonnegative(),
  totalBytes: z.number().int().nonnegative(),
  /** `manifestDigest` of the listing; null when the preview stopped at PREVIEW_LIMIT objects and so reviewed no manifest. */
  manifestSha256: sha256Hex.nullable(),
});

export type ExportPrefixPreconditions = z.infer<typeof exportPrefixPreconditions>;

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

/** Builds the S3 client for one batch's credentials (real ones: `s3ClientBuilder`); tests stand in for S3 with it. */
export type S3ClientFactory = (credentials: OperationContext['credentials']) => S3Sender & { destroy(): void };

/** The first `limit` objects under a prefix (and whether there were more). */
async function listUpTo(
  lease: Pick<ClientLease<S3Sender & { destroy(): void }>, 'client'>,
  bucket: string,
  prefix: string,
  limit: number,
): Promise<{ entries: ManifestEntry[]; truncated: boolean }> {
  const entries: ManifestEntry[] = [];
  for await (const entry of listObjects(() => lease.client(), bucket, prefix)) {
    if (entries.length === limit) return { entries, truncated: true };
    entries.push(entry);
  }
  return { entries, truncated: false };
}

/** How many objects are under a prefix, counting up to `limit`. */
async function countUpTo(lease: Pick<ClientLease<S3Sender & { destroy(): void }>, 'client'>, bucket: string, prefix: string, limit: number): Promise<number> {
  let count = 0;
  for await (const _entry of listObjects(() => lease.client(), bucket, prefix)) {
    if (count === limit) break;
    count += 1;
  }
  return count;
}

/**
 * Lists the source prefix (up to PREVIEW_LIMIT objects) and the destination prefix, and binds the
 * export to that manifest: its count, bytes and digest are the preconditions.
 */
export async function previewExport(params: ExportPrefixParams, context: OperationContext, clients: S3ClientFactory): Promise<OperationPreview> {
  // Both listings at once, each on its own lease: a renewal replaces only its own lease's client.
  const [source, destinationCount] = await Promise.all([
    withClientLease(context, clients, (lease) => listUpTo(lease, params.sourceBucket, params.sourcePrefix, PREVIEW_LIMIT)),
    withClientLease(context, clients, (lease) => countUpTo(lease, params.destinationBucket, params.destinationPrefix, PREVIEW_LIMIT)),
  ]);
  const manifest = summarizeManifest(source.entries);
  const tooLarge = source.entries.filter((entry) => entry.size > MAX_COPY_BYTES).length;
  const atLeast = source.truncated ? 'at least ' : '';
  const from = `s3://${params.sourceBucket}/${params.sourcePrefix}`;
  const warnings = [
    ...(manifest.objectCount === 0 ? [`nothing to export: no object under ${from}`] : []),
    ...(destinationCount > 0
      ? [`${destinationCount} object(s) already under the destination prefix; same-named ones with the same content are skipped, others overwritten`]
      : []),
    ...(tooLarge > 0 ? [`${tooLarge} object(s) over 5 GiB: CopyObject cannot copy them, so the export would fail`] : []),
    ...(source.truncated ? [`the export cannot run: over ${PREVIEW_LIMIT} objects under ${from}, too many to list for review; export smaller prefixes`] : []),
  ];
  const preconditions: ExportPrefixPreconditions = {
    objectCount: manifest.objectCount,
    totalBytes: manifest.totalBytes,
    manifestSha256: source.truncated ? null : manifest.manifestSha256,
  };
  return {
    facts: {
      objectCount: manifest.objectCount,
      totalBytes: manifest.totalBytes,
      countTruncated: source.truncated,
      destinationObjectCount: destinationCount,
    },
    notes: [
      `copies ${atLeast}${manifest.objectCount} object(s), ${atLeast}${formatBytes(manifest.totalBytes)}, from ${from} to s3://${params.destinationBucket}/${params.destinationPrefix}`,
      ...(source.truncated
        ? []
        : ['the export is bound to exactly these objects: if one is added, removed or replaced under the prefix before it runs, the action fails']),
    ],
    warnings,
    preconditions,
  };
}

/**
 * Lists the source again and compares it with the manifest the preview bound the export to, before
 * anything is copied. Listing stops one object past the previewed count: a prefix that grew has
 * changed, however much it grew.
 */
async function listAsPreviewed(
  lease: Pick<ClientLease<S3Sender & { destroy(): void }>, 'client'>,
  params: ExportPrefixParams,
  reviewed: ExportPrefixPreconditions,
  resumed: boolean,
): Promise<ManifestEntry[]> {
  const from = `s3://${params.sourceBucket}/${params.sourcePrefix}`;
  const nothing = resumed ? 'nothing more was copied' : 'nothing was copied';
  if (reviewed.manifestSha256 === null) {
    throw new PreconditionFailedError(
      `the preview stopped listing ${from} at ${PREVIEW_LIMIT} objects, so no manifest was reviewed; ${nothing}. Export smaller prefixes`,
    );
  }
  const listed = await listUpTo(lease, params.sourceBucket, params.sourcePrefix, reviewed.objectCount);
  const now = summarizeManifest(listed.entries);
  if (
    !listed.truncated &&
    now.manifestSha256 === reviewed.manifestSha256 &&
    now.objectCount === reviewed.objectCount &&
    now.totalBytes === reviewed.totalBytes
  ) {
    return listed.entries;
  }
  throw new PreconditionFailedError(`the objects under ${from} changed after the preview: ${manifestChange(reviewed, now, listed.truncated)}; ${nothing}`);
}

/** `it listed 3 objects (60 bytes); there are now more than 3` and the like. */
function manifestChange(reviewed: ExportPrefixPreconditions, now: ManifestSummary, more: boolean): string {
  const was = `the preview listed ${reviewed.objectCount} object(s) (${formatBytes(reviewed.totalBytes)})`;
  if (more) return `${was}; there are now more`;
  if (now.objectCount !== reviewed.objectCount || now.totalBytes !== reviewed.totalBytes) {
    return `${was}; there are now ${now.objectCount} (${formatBytes(now.totalBytes)})`;
  }
  return `${was}; there are as many, of the same total size, but a key or an ETag differs`;
}

/**
 * Copies exactly the previewed manifest, in key order, recording progress after each object. It
 * lists the source again first and fails, copying nothing, when that listing is not the one the
 * preview bound it to; each copy then carries `CopySourceIfMatch` on the listed ETag, so an object
 * replaced during the export is not copied either. A retry (after a crash or a transient error)
 * checks the manifest again, resumes after the last recorded key, and skips any object whose copy
 * already exists with the same ETag, so no object is copied twice even if the last report was
 * lost. The credentials are renewed batch by batch (operations/credential-lease.ts).
 */
export async function exportAsPreviewed(
  params: ExportPrefixParams,
  context: ExecutionContext<ExportPrefixPreconditions>,
  clients: S3ClientFactory,
): Promise<OperationOutcome> {
  const resumed = asProgress(context.progress?.resumeFrom());
  const progress: ExportProgress = resumed ? { ...resumed } : { startAfter: '', copied: 0, skipped: 0, bytes: 0 };
  await withClientLease(context, clients, async (lease) => {
    const manifest = await listAsPreviewed(lease, params, context.preconditions, resumed !== undefined);
    const tooLarge = manifest.find((entry) => entry.size > MAX_COPY_BYTES);
    if (tooLarge) throw new ObjectTooLargeError(tooLarge.key, tooLarge.size);
    const from = resumeIndex(manifest, progress.startAfter);
    for (const object of manifest.slice(from)) {
      const s3 = await lease.client();
      const destinationKey = params.destinationPrefix + object.key.slice(params.sourcePrefix.length);
      if (await alreadyCopied(s3, params.destinationBucket, destinationKey, object.etag)) {
        progress.skipped += 1;
      } else {
        await copyAsListed(s3, params, object, destinationKey, progress, manifest.length);
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

/** Where a retry resumes: after the last key an earlier attempt reported (from the start when there is none). */
function resumeIndex(manifest: readonly ManifestEntry[], startAfter: string): number {
  if (!startAfter) return 0;
  // Not found cannot happen with a manifest that matched; from the start is safe (copies are skipped).
  return manifest.findIndex((entry) => entry.key === startAfter) + 1;
}

/** One CopyObject of a listed object, only while it still has the listed ETag. */
async function copyAsListed(
  s3: S3Sender,
  params: ExportPrefixParams,
  object: ManifestEntry,
  destinationKey: string,
  progress: ExportProgress,
  total: number,
): Promise<void> {
  const stopped = `the export stopped with ${progress.copied + progress.skipped} of ${total} object(s) done`;
  const source = `s3://${params.sourceBucket}/${object.key}`;
  // S3 always lists an ETag; without one there is nothing to bind the copy to.
  if (!object.etag) throw new PreconditionFailedError(`${source} was listed without an ETag, so its copy cannot be bound to the reviewed content; ${stopped}`);
  const { CopyObjectCommand } = await loadS3Sdk();
  try {
    await s3.send(
      new CopyObjectCommand({
        Bucket: params.destinationBucket,
        Key: destinationKey,
        CopySource: s3CopySource(params.sourceBucket, object.key),
        CopySourceIfMatch: object.etag,
        TaggingDirective: 'REPLACE',
      }),
    );
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err;
    throw new PreconditionFailedError(`${source} was replaced during the export (the preview listed ETag ${object.etag}) and was not copied; ${stopped}`);
  }
}

async function alreadyCopied(s3: S3Sender, bucket: string, key: string, etag: string): Promise<boolean> {
  const { HeadObjectCommand } = await loadS3Sdk();
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return etag !== '' && head.ETag === etag;
  } catch (err) {
    if (httpStatus(err) === 404) return false;
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
export const s3ExportPrefix = defineOperation<ExportPrefixParams, ExportPrefixPreconditions>({
  name: 's3.exportPrefix',
  title: 'Export a prefix',
  description:
    'Copy every object under an S3 prefix to another bucket and prefix; resumable, never copies an object twice. ' +
    'It copies exactly the objects the preview listed (keys and ETags); a prefix changed since fails the action.',
  params: exportPrefixParams,
  idempotent: true, // a repeat skips objects already copied with the same ETag
  // Per batch: the credentials are renewed whenever less than 10 s of this is left (credential-lease.ts).
  runningTimeSeconds: 60,
  summarize: (p) => `copy every object under s3://${p.sourceBucket}/${p.sourcePrefix} to s3://${p.destinationBucket}/${p.destinationPrefix}`,
  sessionPolicy: exportPrefixSessionPolicy,
  execute: async (params, context) => exportAsPreviewed(params, context, await s3ClientBuilder(context)),
  previewPolicy: exportPrefixPreviewPolicy,
  preview: async (params, context) => previewExport(params, context, await s3ClientBuilder(context)),
  preconditions: exportPrefixPreconditions,
  examples: [{ sourceBucket: 'warehouse', sourcePrefix: 'datasets/2026/', destinationBucket: 'partner-drop', destinationPrefix: 'acme/2026/' }],
});
