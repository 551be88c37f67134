import { createHash } from 'node:crypto';
import type { ContinuousBackupsDescription, TableDescription } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { formatBytes } from '../format';
import { LONGEST_PARTITION, s3BucketArn, s3ObjectArn } from '../arn';
import { defineOperation, type ExecutionContext, type IamPolicyDocument, type OperationContext, type OperationOutcome, type OperationPreview } from '../sdk';
import { fitsSessionPolicyLimit } from '../session-time';
import { MAX_SESSION_POLICY_CHARS } from '../types';
import { loadS3Sdk } from '../s3-sdk';
import { withClient } from '../with-client';
import { loadDynamoDbSdk } from './sdk';
import { dynamoDbClient, s3Client, type DynamoDbSender, type S3Sender } from './client';
import { errorName, httpStatus } from '../aws-error';
import { accountId, bucketName, exportPrefix, regionName, tableName } from './names';
import { assertSameTable, bindingOf, describeTableOrAbsent, tableArn, tableBinding } from './table';

const exportTableFields = z.strictObject({
  tableName,
  /** The table's account and region: its ARN names both, so the session policy names exactly one table. */
  accountId,
  region: regionName,
  s3Bucket: bucketName,
  s3Prefix: exportPrefix,
  exportFormat: z.enum(['DYNAMODB_JSON', 'ION']).optional(),
  /** A point in the past to export the table as of (within its point-in-time recovery window); now when left out. */
  exportTime: z.iso
    .datetime({ offset: true, error: 'exportTime must be an ISO 8601 time with a zone, such as 2026-11-30T12:00:00Z' })
    .refine((time) => Date.parse(time) < Date.now(), 'exportTime must be in the past')
    .optional(),
  /** The account that owns the bucket, when it is not the table's (DynamoDB's S3BucketOwner). */
  s3BucketOwner: accountId.optional(),
});

export type ExportTableParams = z.infer<typeof exportTableFields>;

/** Params of `dynamodb.exportTableToPointInTime`: exactly these fields, each checked, and policies that fit STS. */
export const exportTableParams = exportTableFields.refine(
  (p) => fitsSessionPolicyLimit(exportTableSessionPolicy(p, LONGEST_PARTITION)) && fitsSessionPolicyLimit(exportTablePreviewPolicy(p, LONGEST_PARTITION)),
  {
    error: `table name and export prefix are too long together: the session policy would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit`,
    path: ['s3Prefix'],
  },
);

/** `s3://<bucket>/<prefix>/`: where the export writes (under `AWSDynamoDB/<export id>/`). */
function destinationUri(params: ExportTableParams): string {
  return `s3://${params.s3Bucket}/${params.s3Prefix}/`;
}

function formatOf(params: ExportTableParams): 'DYNAMODB_JSON' | 'ION' {
  return params.exportFormat ?? 'DYNAMODB_JSON';
}

/**
 * Start the export of exactly this table, and let DynamoDB write its files under exactly this
 * prefix; nothing else.
 *
 * - `dynamodb:ExportTableToPointInTime` on the table. `dynamodb:DescribeTable` on the same table:
 *   the execution reads it again just before the export, to refuse a table deleted and re-created
 *   since the preview (its ARN is the same, so the export call alone cannot tell).
 * - `s3:AbortMultipartUpload`, `s3:PutObject`, `s3:PutObjectAcl` on `<bucket>/<prefix>/*`: what
 *   DynamoDB's developer guide asks of the caller of an export ("Requesting a table export in
 *   DynamoDB", Set up S3 permissions: its example policy grants exactly these three S3 actions with
 *   `dynamodb:ExportTableToPointInTime`); DynamoDB writes the files with the caller's permissions.
 *   The `/*` is this operation's own: DynamoDB names the files `<prefix>/AWSDynamoDB/<export id>/…`
 *   with an id it makes up, so they cannot be named in advance; the prefix itself never carries a
 *   wildcard (the params refuse `*`, `?` and `${`). `s3:PutObjectAcl` lets the credential set ACLs
 *   on objects under the prefix too, for as long as the session's time bound lasts.
 *
 * No `dynamodb:DescribeExport`: a retry is made safe by the export's ClientToken, not by reading
 * the export back (see `exportTableClientToken`).
 */
export function exportTableSessionPolicy(params: ExportTableParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['dynamodb:DescribeTable', 'dynamodb:ExportTableToPointInTime'], Resource: [tableArn(partition, params)] },
      {
        Effect: 'Allow',
        Action: ['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl'],
        Resource: [s3ObjectArn(partition, params.s3Bucket, `${params.s3Prefix}/*`)],
      },
    ],
  };
}

/**
 * Read-only:
 *
 * - `dynamodb:DescribeTable` on the table: whether it exists, its id and creation time (what the
 *   execution is bound to), status, item count and size.
 * - `dynamodb:DescribeContinuousBackups` on the table: whether point-in-time recovery is on (an
 *   export without it fails) and its window (an `exportTime` outside it fails).
 * - `s3:ListBucket` on the bucket, only a listing whose prefix is exactly `<prefix>/` and that
 *   returns one key at most: whether the bucket exists (NoSuchBucket) and whether the prefix
 *   already holds objects. It names no key beyond one that starts with the prefix. Nothing in the
 *   bucket is read, and whether the export may write there cannot be told read-only.
 */
export function exportTablePreviewPolicy(params: ExportTableParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeTable'], Resource: [tableArn(partition, params)] },
      {
        Effect: 'Allow',
        Action: ['s3:ListBucket'],
        Resource: [s3BucketArn(partition, params.s3Bucket)],
        Condition: { StringEquals: { 's3:prefix': `${params.s3Prefix}/` }, NumericLessThanEquals: { 's3:max-keys': '1' } },
      },
    ],
  };
}

function summarize(params: ExportTableParams): string {
  const format = params.exportFormat ? ` as ${params.exportFormat}` : '';
  const asOf = params.exportTime ? `, as of ${new Date(params.exportTime).toISOString()}` : '';
  const owner = params.s3BucketOwner ? ` (bucket owner ${params.s3BucketOwner})` : '';
  return `export DynamoDB table ${params.tableName} (${params.accountId}, ${params.region}) to ${destinationUri(params)}${owner}${format}${asOf}`;
}

/**
 * What `dynamodb.exportTableToPointInTime` binds its execution to: the table the preview saw (its
 * id and creation time), or null when it saw none. Not bound: the table's items (an export is of
 * the table as it is when the export starts, or as of `exportTime`) and the destination.
 */
export const exportTablePreconditions = z.strictObject({ table: tableBinding });

export type ExportTablePreconditions = z.infer<typeof exportTablePreconditions>;

/**
 * The export's idempotency token for one action: the SHA-256 of the action id, in hex. A retried
 * activity sends the same token with the same request, so DynamoDB answers with the export the
 * first attempt started instead of starting another (for 8 hours after the first request).
 */
export function exportTableClientToken(actionId: string): string {
  return createHash('sha256').update(`airlock/dynamodb.exportTableToPointInTime/${actionId}`).digest('hex');
}

/**
 * Starts the export of the table the preview saw: DescribeTable first (a table deleted and
 * re-created under the same name since the preview fails `precondition_failed`, nothing
 * exported), then ExportTableToPointInTime with the table's ARN and the action's ClientToken.
 * What remains is the moment between the two calls, in which a table would have to be deleted and
 * created again.
 */
export async function exportAsPreviewed(
  params: ExportTableParams,
  dynamodb: DynamoDbSender,
  context: Pick<ExecutionContext<ExportTablePreconditions>, 'actionId' | 'partition' | 'preconditions'>,
): Promise<OperationOutcome> {
  const arn = tableArn(context.partition, params);
  await assertSameTable(dynamodb, arn, context.preconditions.table, 'nothing was exported');
  const { ExportTableToPointInTimeCommand } = await loadDynamoDbSdk();
  const response = await dynamodb.send(
    new ExportTableToPointInTimeCommand({
      TableArn: arn,
      S3Bucket: params.s3Bucket,
      S3Prefix: params.s3Prefix,
      ExportFormat: formatOf(params),
      ExportType: 'FULL_EXPORT',
      ClientToken: exportTableClientToken(context.actionId),
      ...(params.exportTime ? { ExportTime: new Date(params.exportTime) } : {}),
      ...(params.s3BucketOwner ? { S3BucketOwner: params.s3BucketOwner } : {}),
    }),
  );
  const description = response.ExportDescription;
  if (!description?.ExportArn) throw new Error(`ExportTableToPointInTime for ${arn} returned no export ARN`);
  return {
    summary: summarize(params),
    outputs: {
      exportArn: description.ExportArn,
      exportStatus: description.ExportStatus ?? 'IN_PROGRESS',
      tableArn: arn,
      destination: destinationUri(params),
      exportFormat: formatOf(params),
      ...(description.ExportTime ? { exportTime: description.ExportTime.toISOString() } : {}),
    },
  };
}

async function execute(params: ExportTableParams, context: ExecutionContext<ExportTablePreconditions>): Promise<OperationOutcome> {
  return withClient(await dynamoDbClient(context, params.region), (dynamodb) => exportAsPreviewed(params, dynamodb, context));
}

/** What the preview learnt about one thing: what it read, that it is not there, or that it was refused. */
type Seen<T> = { state: 'present'; value: T } | { state: 'absent' } | { state: 'unknown' };

const DENIED = new Set(['AccessDeniedException', 'AccessDenied']);

/** Runs a read; an error named in `missing` means "no such thing", a refusal means "unknown". Anything else fails the preview (Temporal retries it). */
async function seen<T>(read: () => Promise<T | undefined>, missing: readonly string[]): Promise<Seen<T>> {
  try {
    const value = await read();
    return value === undefined ? { state: 'absent' } : { state: 'present', value };
  } catch (err) {
    const name = errorName(err) ?? '';
    if (missing.includes(name)) return { state: 'absent' };
    if (DENIED.has(name) || httpStatus(err) === 403) return { state: 'unknown' };
    throw err;
  }
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Table states in which DynamoDB starts an export; any other (CREATING, DELETING, ARCHIVED, …) deserves a warning. */
const EXPORTABLE_STATES = new Set(['ACTIVE', 'UPDATING']);

/**
 * The impact of an export, read with DescribeTable, DescribeContinuousBackups and a one-key
 * listing of the destination prefix. Facts: `tableExists`, `tableStatus`, `itemCount`,
 * `tableBytes`, `pointInTimeRecovery` (true, false, or null when unknown), `exportFormat`,
 * `destination`, `bucketExists` and `prefixHasObjects` (true, false, or null when refused).
 */
export async function previewExportTable(params: ExportTableParams, dynamodb: DynamoDbSender, s3: S3Sender, partition: string): Promise<OperationPreview> {
  const arn = tableArn(partition, params);
  const destination = destinationUri(params);
  const where = `table ${params.tableName} (${params.accountId}, ${params.region})`;
  const [table, listing] = await Promise.all([
    seen<TableDescription>(() => describeTableOrAbsent(dynamodb, arn), []),
    seen<{ hasObjects: boolean }>(async () => {
      const { ListObjectsV2Command } = await loadS3Sdk();
      const listed = await s3.send(
        new ListObjectsV2Command({
          Bucket: params.s3Bucket,
          Prefix: `${params.s3Prefix}/`,
          MaxKeys: 1,
          ...(params.s3BucketOwner ? { ExpectedBucketOwner: params.s3BucketOwner } : {}),
        }),
      );
      return { hasObjects: (listed.KeyCount ?? listed.Contents?.length ?? 0) > 0 };
    }, ['NoSuchBucket']),
  ]);
  const backups: Seen<ContinuousBackupsDescription> =
    table.state === 'present'
      ? await seen(async () => {
          const { DescribeContinuousBackupsCommand } = await loadDynamoDbSdk();
          return (await dynamodb.send(new DescribeContinuousBackupsCommand({ TableName: arn }))).ContinuousBackupsDescription;
        }, ['TableNotFoundException'])
      : { state: 'unknown' };

  const facts: OperationPreview['facts'] = { tableExists: table.state === 'unknown' ? null : table.state === 'present' };
  const notes: string[] = [];
  const warnings: string[] = [];

  let what = where;
  if (table.state === 'present') {
    const description = table.value;
    if (description.TableStatus !== undefined) facts.tableStatus = description.TableStatus;
    if (description.ItemCount !== undefined) facts.itemCount = description.ItemCount;
    if (description.TableSizeBytes !== undefined) facts.tableBytes = description.TableSizeBytes;
    if (description.ItemCount !== undefined && description.TableSizeBytes !== undefined) {
      what = `${where}, ${plural(description.ItemCount, 'item')} in ${formatBytes(description.TableSizeBytes)} (DynamoDB updates these figures about every six hours),`;
    }
    if (description.TableStatus !== undefined && !EXPORTABLE_STATES.has(description.TableStatus)) {
      warnings.push(`${where} is ${description.TableStatus}: the export would fail`);
    }
  } else if (table.state === 'absent') {
    warnings.push(`${where} does not exist: the export would fail`);
  } else {
    warnings.push(`could not tell whether ${where} exists: DescribeTable was refused`);
  }

  const pitr = backups.state === 'present' ? backups.value.PointInTimeRecoveryDescription : undefined;
  facts.pointInTimeRecovery = pitr?.PointInTimeRecoveryStatus === undefined ? null : pitr.PointInTimeRecoveryStatus === 'ENABLED';
  if (pitr?.PointInTimeRecoveryStatus !== undefined && pitr.PointInTimeRecoveryStatus !== 'ENABLED') {
    warnings.push(`point-in-time recovery is not enabled on ${where}: the export would fail (an export reads the table's continuous backups)`);
  } else if (table.state === 'present' && pitr?.PointInTimeRecoveryStatus === undefined) {
    const why = backups.state === 'unknown' ? ' (DescribeContinuousBackups was refused)' : '';
    warnings.push(`could not tell whether point-in-time recovery is enabled on ${where}${why}: without it the export fails`);
  }
  if (params.exportTime && pitr?.EarliestRestorableDateTime && pitr.LatestRestorableDateTime) {
    const time = Date.parse(params.exportTime);
    const earliest = pitr.EarliestRestorableDateTime;
    const latest = pitr.LatestRestorableDateTime;
    if (time < earliest.getTime() || time > latest.getTime()) {
      warnings.push(
        `exportTime ${new Date(time).toISOString()} is outside the point-in-time recovery window of ${where} ` +
          `(${earliest.toISOString()} to ${latest.toISOString()}): the export would fail`,
      );
    }
  }

  facts.exportFormat = formatOf(params);
  facts.destination = destination;
  facts.bucketExists = listing.state === 'unknown' ? null : listing.state === 'present';
  facts.prefixHasObjects = listing.state === 'unknown' ? null : listing.state === 'present' && listing.value.hasObjects;
  let destinationState: string;
  if (listing.state === 'absent') {
    destinationState = `bucket ${params.s3Bucket} does not exist`;
    warnings.push(`bucket ${params.s3Bucket} does not exist: the export would fail`);
  } else if (listing.state === 'unknown') {
    destinationState = 'whose bucket could not be listed';
    const owner = params.s3BucketOwner ? `, or it is not owned by account ${params.s3BucketOwner}` : '';
    warnings.push(`could not tell whether bucket ${params.s3Bucket} exists: the listing was refused${owner}`);
  } else if (listing.value.hasObjects) {
    destinationState = 'which already holds objects';
    warnings.push(
      `${destination} already holds objects: the export adds its files beside them (under ${params.s3Prefix}/AWSDynamoDB/<export id>/), ` +
        'mixing this table with whatever else readers of the prefix pick up',
    );
  } else {
    destinationState = 'which is empty';
  }

  const asOf = params.exportTime ? `as of ${new Date(params.exportTime).toISOString()}` : 'as of the moment the export starts';
  notes.push(`exports ${what} ${asOf}, as ${formatOf(params)}, to ${destination}AWSDynamoDB/<export id>/, ${destinationState}`);
  if (params.s3BucketOwner) notes.push(`the bucket must belong to account ${params.s3BucketOwner} (S3BucketOwner)`);
  notes.push(`who can read the exported data is up to ${params.s3Bucket}'s policy and ACLs, which the preview does not read`);
  notes.push(
    'the action succeeds when DynamoDB accepts the export; the files are written after that, which can take minutes to hours (the result names the export)',
  );

  // What was reviewed is what runs: this table, not one re-created under its name.
  const reviewed = table.state === 'present' ? bindingOf(table.value) : null;
  if (reviewed !== null) {
    const identity = [reviewed.tableId ? `id ${reviewed.tableId}` : undefined, reviewed.createdAt ? `created ${reviewed.createdAt}` : undefined]
      .filter(Boolean)
      .join(', ');
    notes.push(
      `the export is bound to this table (${identity}): if it is deleted and re-created under the same name before the export starts, the action fails`,
    );
  } else if (table.state === 'unknown') {
    // A missing table already warns that the export would fail.
    warnings.push(`the export cannot run: no table was read, so none can be approved`);
  }
  return { facts, notes, warnings, preconditions: { table: reviewed } satisfies ExportTablePreconditions };
}

async function preview(params: ExportTableParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(await dynamoDbClient(context, params.region), async (dynamodb) =>
    withClient(await s3Client(context, params.region), (s3) => previewExportTable(params, dynamodb, s3, context.partition)),
  );
}

/**
 * `dynamodb.exportTableToPointInTime`: export one table to S3, as of now or a point in the past.
 * Idempotent per action by its ClientToken.
 */
export const dynamodbExportTableToPointInTime = defineOperation<ExportTableParams, ExportTablePreconditions>({
  name: 'dynamodb.exportTableToPointInTime',
  title: 'Export a DynamoDB table to S3',
  description:
    'Starts a full export of one DynamoDB table (point-in-time recovery must be on) to an S3 prefix, as of now or a time in the past, ' +
    'as DynamoDB JSON or Amazon Ion. The session may start the export of only that table and write only under that prefix. ' +
    'It exports only the table the preview saw: one deleted and re-created under the same name since fails the action.',
  params: exportTableParams,
  idempotent: true,
  examples: [
    { tableName: 'orders', accountId: '111122223333', region: 'us-east-1', s3Bucket: 'analytics-drop', s3Prefix: 'exports/orders' },
    {
      tableName: 'orders.v2',
      accountId: '111122223333',
      region: 'eu-west-1',
      s3Bucket: 'partner-drop',
      s3Prefix: 'acme/2026-11',
      exportFormat: 'ION',
      exportTime: '2026-11-01T00:00:00Z',
      s3BucketOwner: '444455556666',
    },
  ],
  // A DescribeTable and the start of one ExportTableToPointInTime; DynamoDB writes the files afterwards.
  runningTimeSeconds: 30,
  summarize,
  sessionPolicy: exportTableSessionPolicy,
  execute,
  previewPolicy: exportTablePreviewPolicy,
  preview,
  preconditions: exportTablePreconditions,
});
