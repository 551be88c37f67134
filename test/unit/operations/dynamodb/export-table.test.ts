import {
  DescribeContinuousBackupsCommand,
  DescribeTableCommand,
  DynamoDBServiceException,
  ExportTableToPointInTimeCommand,
  type ContinuousBackupsDescription,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import { type ListObjectsV2Command, S3ServiceException } from '@aws-sdk/client-s3';
import type { DynamoDbSender, S3Sender } from '../../../../operations/dynamodb/client';
import {
  dynamodbExportTableToPointInTime,
  exportAsPreviewed,
  exportTableClientToken,
  exportTableParams,
  previewExportTable,
  type ExportTableParams,
  type ExportTablePreconditions,
} from '../../../../operations/dynamodb/export-table';
import { TableMissingError } from '../../../../operations/dynamodb/table';
import { PreconditionFailedError } from '../../../../operations/preconditions';
import { fitsSessionPolicyLimit } from '../../../../operations/session-time';
import type { IamPolicyDocument, Operation } from '../../../../operations/types';
import { operationProblem } from '../../../../operations/user-operations';
import { rejectionOf } from '../../../support/failures';

const good: ExportTableParams = { tableName: 'orders', accountId: '123456789012', region: 'us-east-1', s3Bucket: 'analytics-drop', s3Prefix: 'exports/orders' };
const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders';

/** The messages zod gives for `params`, or [] when accepted. */
function refusals(params: unknown): string[] {
  const result = exportTableParams.safeParse(params);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

function everyActionAndResource(policy: IamPolicyDocument): string[] {
  return policy.Statement.flatMap((statement) => [...statement.Action, ...statement.Resource]);
}

describe('dynamodb.exportTableToPointInTime params', () => {
  test.each([
    ['the required fields', good],
    ['a 3- and a 255-character table name of every allowed character', { ...good, tableName: 'a.b' }],
    ['a 255-character table name', { ...good, tableName: `Orders_v2.-${'x'.repeat(244)}` }],
    ['every optional field', { ...good, exportFormat: 'ION', exportTime: '2026-11-01T00:00:00Z', s3BucketOwner: '444455556666' }],
    ['DYNAMODB_JSON', { ...good, exportFormat: 'DYNAMODB_JSON' }],
    ['an exportTime with an offset and fractions', { ...good, exportTime: '2026-11-01T01:30:00.250+01:30' }],
    ['a one-segment prefix, and one with spaces, unicode and a `$` not followed by `{`', { ...good, s3Prefix: 'x' }],
    ['a prefix with spaces and unicode', { ...good, s3Prefix: 'Q3 (final)/über/cost$' }],
    ['a 900-byte prefix', { ...good, s3Prefix: 'p'.repeat(900) }],
    ['GovCloud and China regions', { ...good, region: 'us-gov-west-1' }],
    ['cn-north-1', { ...good, region: 'cn-north-1' }],
  ])('accepts %s', (_name, params) => {
    expect(refusals(params)).toEqual([]);
  });

  test.each([
    ['`*` as table name', { tableName: '*' }, 'tableName: table name must be 3 to 255 characters'],
    ['`*` in a table name', { tableName: 'orders*' }, 'tableName: table name must be 3 to 255 characters'],
    ['`?` in a table name', { tableName: 'ord?rs' }, 'tableName: table name must be 3 to 255 characters'],
    ['a policy variable as table name', { tableName: '${aws:username}' }, 'tableName: table name must be'],
    ['a table path', { tableName: 'orders/index/byDate' }, 'tableName: table name must be'],
    ['a table ARN', { tableName: TABLE_ARN }, 'tableName: table name must be'],
    ['a 2-character table name', { tableName: 'ab' }, 'tableName: table name must be'],
    ['a 256-character table name', { tableName: 't'.repeat(256) }, 'tableName: table name must be'],
    ['`*` as prefix', { s3Prefix: '*' }, 's3Prefix: object key must not contain "*"'],
    ['`*` in a prefix', { s3Prefix: 'exports/*' }, 's3Prefix: object key must not contain "*"'],
    ['`?` in a prefix', { s3Prefix: 'exports/2026-?' }, 's3Prefix: object key must not contain "?"'],
    ['a policy variable in a prefix', { s3Prefix: 'home/${aws:userid}' }, 's3Prefix: object key must not contain "${"'],
    ['an empty prefix', { s3Prefix: '' }, 's3Prefix: object key must not be empty'],
    ['a prefix ending in /', { s3Prefix: 'exports/' }, 's3Prefix: export prefix must not start or end with "/"'],
    ['a prefix starting with /', { s3Prefix: '/exports' }, 's3Prefix: export prefix must not start or end with "/"'],
    ['a control character in a prefix', { s3Prefix: 'exports\norders' }, 's3Prefix: object key must not contain control characters'],
    ['a prefix over 900 bytes', { s3Prefix: 'é'.repeat(451) }, 's3Prefix: export prefix must be at most 900 bytes'],
    ['a lone surrogate in a prefix', { s3Prefix: 'a\uD800b' }, 's3Prefix: object key must be valid Unicode'],
    ['an 11-digit account', { accountId: '12345678901' }, 'accountId: account id must be exactly 12 digits'],
    ['a wildcard account', { accountId: '*' }, 'accountId: account id must be exactly 12 digits'],
    ['an account with letters', { accountId: '12345678901a' }, 'accountId: account id must be exactly 12 digits'],
    ['an account as a number', { accountId: 123456789012 }, 'accountId: '],
    ['a wildcard region', { region: '*' }, 'region: region must be an AWS region name'],
    ['an upper-case region', { region: 'US-EAST-1' }, 'region: region must be an AWS region name'],
    ['a wildcard bucket', { s3Bucket: 'analytics-*' }, 's3Bucket: bucket name may contain only'],
    ['an upper-case bucket', { s3Bucket: 'Analytics' }, 's3Bucket: bucket name may contain only'],
    ['a bucket ARN', { s3Bucket: 'arn:aws:s3:::analytics-drop' }, 's3Bucket: bucket name may contain only'],
    ['an unknown format', { exportFormat: 'CSV' }, 'exportFormat: '],
    ['an exportTime in the future', { exportTime: new Date(Date.now() + 3_600_000).toISOString() }, 'exportTime: exportTime must be in the past'],
    ['an exportTime without a zone', { exportTime: '2026-11-01T00:00:00' }, 'exportTime: exportTime must be an ISO 8601 time with a zone'],
    ['an exportTime as epoch seconds', { exportTime: 1_790_000_000 }, 'exportTime: '],
    ['a wildcard bucket owner', { s3BucketOwner: '*' }, 's3BucketOwner: account id must be exactly 12 digits'],
    ['an extra field', { s3SseKmsKeyId: 'alias/x' }, ': Unrecognized key: "s3SseKmsKeyId"'],
    ['an incremental export asked for', { exportType: 'INCREMENTAL_EXPORT' }, ': Unrecognized key: "exportType"'],
  ])('refuses %s', (_name, change, expected) => {
    const messages = refusals({ ...good, ...change });
    expect(messages.some((message) => message.startsWith(expected))).toBe(true);
  });

  test.each(['tableName', 'accountId', 'region', 's3Bucket', 's3Prefix'])('refuses %s when missing', (field) => {
    const { [field as keyof ExportTableParams]: _left, ...rest } = good;
    expect(refusals(rest)).toEqual([`${field}: Invalid input: expected string, received undefined`]);
  });

  test('refuses a non-ASCII prefix too long for the STS limit once escaped, naming the limit', () => {
    // 400 × 'é' is 800 bytes (under the 900-byte rule) but 2,400 characters of \u00e9 escapes in the policy.
    expect(refusals({ ...good, s3Prefix: 'é'.repeat(400) })).toEqual([
      's3Prefix: table name and export prefix are too long together: the session policy would exceed the 2048-character STS limit',
    ]);
  });

  test('the longest table name with the longest ASCII prefix fits both policies in the longest partition', () => {
    const longest = { ...good, tableName: 't'.repeat(255), s3Prefix: 'p'.repeat(900) };
    expect(refusals(longest)).toEqual([]);
    expect(fitsSessionPolicyLimit(dynamodbExportTableToPointInTime.sessionPolicy(longest, 'aws-us-gov'))).toBe(true);
    expect(fitsSessionPolicyLimit(dynamodbExportTableToPointInTime.previewPolicy(longest, 'aws-us-gov'))).toBe(true);
  });
});

describe('dynamodb.exportTableToPointInTime session policy', () => {
  test('exactly the export on the table (and DescribeTable for the check), and the documented S3 writes under the prefix', () => {
    expect(dynamodbExportTableToPointInTime.sessionPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['dynamodb:DescribeTable', 'dynamodb:ExportTableToPointInTime'], Resource: [TABLE_ARN] },
        {
          Effect: 'Allow',
          Action: ['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl'],
          Resource: ['arn:aws:s3:::analytics-drop/exports/orders/*'],
        },
      ],
    });
  });

  test('names the params account and region, in the worker partition, whatever the optional fields', () => {
    const params = {
      ...good,
      tableName: 'orders.v2',
      accountId: '111122223333',
      region: 'us-gov-west-1',
      exportFormat: 'ION' as const,
      s3BucketOwner: '444455556666',
    };
    expect(dynamodbExportTableToPointInTime.sessionPolicy(params, 'aws-us-gov')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['dynamodb:DescribeTable', 'dynamodb:ExportTableToPointInTime'],
          Resource: ['arn:aws-us-gov:dynamodb:us-gov-west-1:111122223333:table/orders.v2'],
        },
        {
          Effect: 'Allow',
          Action: ['s3:AbortMultipartUpload', 's3:PutObject', 's3:PutObjectAcl'],
          Resource: ['arn:aws-us-gov:s3:::analytics-drop/exports/orders/*'],
        },
      ],
    });
  });

  test('the only wildcard is the `/*` it writes after the prefix; no action is a wildcard; no DescribeExport', () => {
    for (const params of [good, { ...good, s3Prefix: 'a/b c/ü' }]) {
      const policy = dynamodbExportTableToPointInTime.sessionPolicy(params, 'aws');
      const wildcards = everyActionAndResource(policy).filter((entry) => /[*?]|\$\{/.test(entry));
      expect(wildcards).toEqual([`arn:aws:s3:::analytics-drop/${params.s3Prefix}/*`]);
      expect(policy.Statement.flatMap((statement) => statement.Action)).not.toContain('dynamodb:DescribeExport');
      expect(policy.Statement.every((statement) => statement.Effect === 'Allow' && statement.Condition === undefined)).toBe(true);
    }
  });

  test('refuses a partition that would bend the ARNs', () => {
    expect(() => dynamodbExportTableToPointInTime.sessionPolicy(good, '*')).toThrow(/invalid AWS partition/);
    expect(() => dynamodbExportTableToPointInTime.previewPolicy(good, 'aws:s3:::*')).toThrow(/invalid AWS partition/);
  });
});

describe('dynamodb.exportTableToPointInTime preview policy', () => {
  test('read-only: the two Describe calls on the table, and a one-key listing of exactly `<prefix>/`', () => {
    expect(dynamodbExportTableToPointInTime.previewPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: ['dynamodb:DescribeContinuousBackups', 'dynamodb:DescribeTable'], Resource: [TABLE_ARN] },
        {
          Effect: 'Allow',
          Action: ['s3:ListBucket'],
          Resource: ['arn:aws:s3:::analytics-drop'],
          Condition: { StringEquals: { 's3:prefix': 'exports/orders/' }, NumericLessThanEquals: { 's3:max-keys': '1' } },
        },
      ],
    });
  });

  test('has no wildcard at all, and no action that writes', () => {
    const policy = dynamodbExportTableToPointInTime.previewPolicy({ ...good, s3Prefix: 'a/b' }, 'aws-cn');
    expect(everyActionAndResource(policy).filter((entry) => /[*?]|\$\{/.test(entry))).toEqual([]);
    expect(policy.Statement.flatMap((statement) => statement.Action).sort()).toEqual([
      'dynamodb:DescribeContinuousBackups',
      'dynamodb:DescribeTable',
      's3:ListBucket',
    ]);
  });
});

describe('dynamodb.exportTableToPointInTime as an operation', () => {
  test('passes the check AIRLOCK_OPERATIONS modules get (its examples, and every wildcard put into them)', () => {
    // As the catalogue holds it: typed for any params (the loader feeds it only what its schema parsed).
    const asLoaded = dynamodbExportTableToPointInTime as unknown as Operation<unknown, unknown>;
    expect(operationProblem(asLoaded, new Set())).toBeUndefined();
  });

  test('is idempotent, binds to its preview, and summarizes in one line', () => {
    expect(dynamodbExportTableToPointInTime.idempotent).toBe(true);
    expect(dynamodbExportTableToPointInTime.preconditions).toBeDefined();
    expect(dynamodbExportTableToPointInTime.findApplied).toBeUndefined();
    expect(dynamodbExportTableToPointInTime.summarize(good)).toBe(
      'export DynamoDB table orders (123456789012, us-east-1) to s3://analytics-drop/exports/orders/',
    );
    expect(
      dynamodbExportTableToPointInTime.summarize({ ...good, exportFormat: 'ION', exportTime: '2026-11-01T01:00:00+01:00', s3BucketOwner: '444455556666' }),
    ).toBe(
      'export DynamoDB table orders (123456789012, us-east-1) to s3://analytics-drop/exports/orders/ (bucket owner 444455556666) as ION, as of 2026-11-01T00:00:00.000Z',
    );
  });

  test('the ClientToken is one per action: the same for a retry, another for another action', () => {
    expect(exportTableClientToken('action-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(exportTableClientToken('action-1')).toBe(exportTableClientToken('action-1'));
    expect(exportTableClientToken('action-2')).not.toBe(exportTableClientToken('action-1'));
  });
});

function dynamoError(name: string, status = 400): DynamoDBServiceException {
  return new DynamoDBServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}

function s3Error(name: string, status: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: status }, message: name });
}

const CREATED = new Date('2026-10-01T08:00:00.000Z');
const TABLE: TableDescription = {
  TableName: 'orders',
  TableArn: TABLE_ARN,
  TableId: '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
  CreationDateTime: CREATED,
  TableStatus: 'ACTIVE',
  ItemCount: 1234,
  TableSizeBytes: 4_100_000,
};
const REVIEWED: ExportTablePreconditions = { table: { tableId: TABLE.TableId ?? null, createdAt: CREATED.toISOString() } };

/**
 * A fake DynamoDB that holds one table (or none: `undefined`), answers DescribeContinuousBackups
 * with `backups`, and starts exports as AWS does: a ClientToken seen before returns the export it
 * started. Every command sent is kept.
 */
function fakeDynamoDb(options: {
  tables: (TableDescription | undefined | DynamoDBServiceException)[];
  backups?: ContinuousBackupsDescription | DynamoDBServiceException;
}) {
  const sent: object[] = [];
  const exportsByToken = new Map<string, string>();
  let describes = 0;
  const dynamodb = {
    send: async (command: object) => {
      sent.push(command);
      if (command instanceof DescribeTableCommand) {
        const table = options.tables[Math.min(describes++, options.tables.length - 1)];
        if (table instanceof DynamoDBServiceException) throw table;
        if (!table) throw dynamoError('ResourceNotFoundException');
        return { Table: table };
      }
      if (command instanceof DescribeContinuousBackupsCommand) {
        if (options.backups instanceof DynamoDBServiceException) throw options.backups;
        return { ContinuousBackupsDescription: options.backups };
      }
      if (command instanceof ExportTableToPointInTimeCommand) {
        const token = command.input.ClientToken ?? `auto-${exportsByToken.size}`;
        const arn = exportsByToken.get(token) ?? `${TABLE_ARN}/export/0170000000000${exportsByToken.size}-abcdef01`;
        exportsByToken.set(token, arn);
        return { ExportDescription: { ExportArn: arn, ExportStatus: 'IN_PROGRESS', ExportTime: new Date('2026-12-04T12:00:00Z') } };
      }
      throw new Error(`unexpected command ${command.constructor.name}`);
    },
  } as unknown as DynamoDbSender; // the operation only calls send()
  return {
    dynamodb,
    sent,
    exportsStarted: () => exportsByToken.size,
    exportRequests: () => sent.filter((command): command is ExportTableToPointInTimeCommand => command instanceof ExportTableToPointInTimeCommand),
  };
}

function fakeS3(answer: { KeyCount: number } | S3ServiceException) {
  const sent: ListObjectsV2Command[] = [];
  const s3 = {
    send: async (command: ListObjectsV2Command) => {
      sent.push(command);
      if (answer instanceof S3ServiceException) throw answer;
      return answer;
    },
  } as unknown as S3Sender; // the preview only calls send()
  return { s3, sent };
}

const PITR_ON: ContinuousBackupsDescription = {
  ContinuousBackupsStatus: 'ENABLED',
  PointInTimeRecoveryDescription: {
    PointInTimeRecoveryStatus: 'ENABLED',
    EarliestRestorableDateTime: new Date('2026-11-20T00:00:00Z'),
    LatestRestorableDateTime: new Date('2026-12-04T11:55:00Z'),
  },
};

const context = (actionId = 'action-export-1') => ({ actionId, partition: 'aws', preconditions: REVIEWED });

describe('dynamodb.exportTableToPointInTime execution, bound to the previewed table', () => {
  test('reads the table, then starts the export of exactly its ARN with the action ClientToken', async () => {
    const fake = fakeDynamoDb({ tables: [TABLE] });
    const outcome = await exportAsPreviewed({ ...good, exportTime: '2026-12-01T00:00:00Z', s3BucketOwner: '444455556666' }, fake.dynamodb, context());
    expect(fake.sent.map((command) => command.constructor.name)).toEqual(['DescribeTableCommand', 'ExportTableToPointInTimeCommand']);
    expect((fake.sent[0] as DescribeTableCommand).input).toEqual({ TableName: TABLE_ARN });
    expect(fake.exportRequests()[0]?.input).toEqual({
      TableArn: TABLE_ARN,
      S3Bucket: 'analytics-drop',
      S3Prefix: 'exports/orders',
      ExportFormat: 'DYNAMODB_JSON',
      ExportType: 'FULL_EXPORT',
      ClientToken: exportTableClientToken('action-export-1'),
      ExportTime: new Date('2026-12-01T00:00:00Z'),
      S3BucketOwner: '444455556666',
    });
    expect(outcome).toEqual({
      summary:
        'export DynamoDB table orders (123456789012, us-east-1) to s3://analytics-drop/exports/orders/ (bucket owner 444455556666), as of 2026-12-01T00:00:00.000Z',
      outputs: {
        exportArn: `${TABLE_ARN}/export/01700000000000-abcdef01`,
        exportStatus: 'IN_PROGRESS',
        tableArn: TABLE_ARN,
        destination: 's3://analytics-drop/exports/orders/',
        exportFormat: 'DYNAMODB_JSON',
        exportTime: '2026-12-04T12:00:00.000Z',
      },
    });
  });

  test('a retry of the same action sends the same request and token: DynamoDB (as AWS does) starts one export', async () => {
    const fake = fakeDynamoDb({ tables: [TABLE] });
    const first = await exportAsPreviewed(good, fake.dynamodb, context());
    const retry = await exportAsPreviewed(good, fake.dynamodb, context());
    expect(fake.exportRequests().map((command) => command.input)).toEqual([fake.exportRequests()[0]?.input, fake.exportRequests()[0]?.input]);
    expect(retry.outputs.exportArn).toBe(first.outputs.exportArn);
    expect(fake.exportsStarted()).toBe(1);
    // Another action with the same params is another export.
    await exportAsPreviewed(good, fake.dynamodb, context('action-export-2'));
    expect(fake.exportsStarted()).toBe(2);
  });

  test('a table deleted and re-created under the same name fails precondition_failed, nothing exported', async () => {
    const recreated = { ...TABLE, TableId: '99999999-8888-7777-6666-555555555555', CreationDateTime: new Date('2026-12-04T12:30:00Z') };
    const fake = fakeDynamoDb({ tables: [recreated] });
    const error = await rejectionOf(exportAsPreviewed(good, fake.dynamodb, context()), PreconditionFailedError);
    expect(error.code).toBe('precondition_failed');
    expect(error.message).toBe(
      `table ${TABLE_ARN} is not the table the preview saw: it was deleted and re-created under the same name ` +
        `(the preview saw id ${TABLE.TableId}, created 2026-10-01T08:00:00.000Z; it now has id 99999999-8888-7777-6666-555555555555, created 2026-12-04T12:30:00.000Z); nothing was exported`,
    );
    expect(fake.exportRequests()).toEqual([]);
  });

  test('without table ids (moto gives none), another creation time alone is a re-created table', async () => {
    const fake = fakeDynamoDb({ tables: [{ ...TABLE, TableId: undefined, CreationDateTime: new Date(CREATED.getTime() + 1) }] });
    const reviewed = { table: { tableId: null, createdAt: CREATED.toISOString() } };
    await rejectionOf(exportAsPreviewed(good, fake.dynamodb, { ...context(), preconditions: reviewed }), PreconditionFailedError);
    expect(fake.exportRequests()).toEqual([]);
  });

  test('a table deleted since the preview fails precondition_failed, nothing exported', async () => {
    const fake = fakeDynamoDb({ tables: [undefined] });
    const error = await rejectionOf(exportAsPreviewed(good, fake.dynamodb, context()), PreconditionFailedError);
    expect(error.message).toMatch(/^table arn:aws:dynamodb:us-east-1:123456789012:table\/orders was deleted after the preview .*; nothing was exported$/);
    expect(fake.exportRequests()).toEqual([]);
  });

  test('a table the preview did not see: still missing fails as DynamoDB would; there now fails precondition_failed', async () => {
    const missing = fakeDynamoDb({ tables: [undefined] });
    const stillMissing = await rejectionOf(exportAsPreviewed(good, missing.dynamodb, { ...context(), preconditions: { table: null } }), TableMissingError);
    expect(stillMissing.name).toBe('ResourceNotFoundException');
    const appeared = fakeDynamoDb({ tables: [TABLE] });
    await rejectionOf(exportAsPreviewed(good, appeared.dynamodb, { ...context(), preconditions: { table: null } }), PreconditionFailedError);
    expect([...missing.exportRequests(), ...appeared.exportRequests()]).toEqual([]);
  });

  test('a refused DescribeTable passes through as the AWS error, nothing exported', async () => {
    const fake = fakeDynamoDb({ tables: [dynamoError('AccessDeniedException')] });
    await expect(exportAsPreviewed(good, fake.dynamodb, context())).rejects.toMatchObject({ name: 'AccessDeniedException' });
    expect(fake.exportRequests()).toEqual([]);
  });

  test('the preconditions schema refuses anything but a binding or null', () => {
    const schema = dynamodbExportTableToPointInTime.preconditions;
    expect(schema?.safeParse(REVIEWED).success).toBe(true);
    expect(schema?.safeParse({ table: null }).success).toBe(true);
    expect(schema?.safeParse({}).success).toBe(false);
    expect(schema?.safeParse({ table: { tableId: 'x' } }).success).toBe(false);
    expect(schema?.safeParse({ table: { tableId: '', createdAt: null } }).success).toBe(false);
    expect(schema?.safeParse({ ...REVIEWED, extra: 1 }).success).toBe(false);
  });
});

describe('dynamodb.exportTableToPointInTime preview', () => {
  test('an exportable table into an empty prefix: facts, notes, no warnings, bound to the table', async () => {
    const dynamo = fakeDynamoDb({ tables: [TABLE], backups: PITR_ON });
    const s3 = fakeS3({ KeyCount: 0 });
    const preview = await previewExportTable(good, dynamo.dynamodb, s3.s3, 'aws');
    expect(s3.sent[0]?.input).toEqual({ Bucket: 'analytics-drop', Prefix: 'exports/orders/', MaxKeys: 1 });
    expect(preview.facts).toEqual({
      tableExists: true,
      tableStatus: 'ACTIVE',
      itemCount: 1234,
      tableBytes: 4_100_000,
      pointInTimeRecovery: true,
      exportFormat: 'DYNAMODB_JSON',
      destination: 's3://analytics-drop/exports/orders/',
      bucketExists: true,
      prefixHasObjects: false,
    });
    expect(preview.warnings).toEqual([]);
    expect(preview.notes).toEqual([
      'exports table orders (123456789012, us-east-1), 1234 items in 4.1 MB (DynamoDB updates these figures about every six hours), ' +
        'as of the moment the export starts, as DYNAMODB_JSON, to s3://analytics-drop/exports/orders/AWSDynamoDB/<export id>/, which is empty',
      "who can read the exported data is up to analytics-drop's policy and ACLs, which the preview does not read",
      'the action succeeds when DynamoDB accepts the export; the files are written after that, which can take minutes to hours (the result names the export)',
      `the export is bound to this table (id ${TABLE.TableId}, created 2026-10-01T08:00:00.000Z): if it is deleted and re-created under the same name before the export starts, the action fails`,
    ]);
    expect(preview.preconditions).toEqual(REVIEWED);
  });

  test('warns: point-in-time recovery off, a prefix that holds objects, an exportTime outside the window', async () => {
    const off = fakeDynamoDb({
      tables: [TABLE],
      backups: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } },
    });
    const preview = await previewExportTable(good, off.dynamodb, fakeS3({ KeyCount: 1 }).s3, 'aws');
    expect(preview.facts).toMatchObject({ pointInTimeRecovery: false, prefixHasObjects: true, bucketExists: true });
    expect(preview.warnings).toEqual([
      "point-in-time recovery is not enabled on table orders (123456789012, us-east-1): the export would fail (an export reads the table's continuous backups)",
      's3://analytics-drop/exports/orders/ already holds objects: the export adds its files beside them (under exports/orders/AWSDynamoDB/<export id>/), ' +
        'mixing this table with whatever else readers of the prefix pick up',
    ]);

    const early = await previewExportTable(
      { ...good, exportTime: '2026-11-01T00:00:00Z' },
      fakeDynamoDb({ tables: [TABLE], backups: PITR_ON }).dynamodb,
      fakeS3({ KeyCount: 0 }).s3,
      'aws',
    );
    expect(early.warnings).toEqual([
      'exportTime 2026-11-01T00:00:00.000Z is outside the point-in-time recovery window of table orders (123456789012, us-east-1) ' +
        '(2026-11-20T00:00:00.000Z to 2026-12-04T11:55:00.000Z): the export would fail',
    ]);
  });

  test('a missing table and a missing bucket are facts, with warnings; nothing is bound', async () => {
    const preview = await previewExportTable(good, fakeDynamoDb({ tables: [undefined] }).dynamodb, fakeS3(s3Error('NoSuchBucket', 404)).s3, 'aws');
    expect(preview.facts).toEqual({
      tableExists: false,
      pointInTimeRecovery: null,
      exportFormat: 'DYNAMODB_JSON',
      destination: 's3://analytics-drop/exports/orders/',
      bucketExists: false,
      prefixHasObjects: false,
    });
    expect(preview.warnings).toEqual([
      'table orders (123456789012, us-east-1) does not exist: the export would fail',
      'bucket analytics-drop does not exist: the export would fail',
    ]);
    expect(preview.preconditions).toEqual({ table: null });
  });

  test('refusals are unknowns (null), and with no table read the export cannot run', async () => {
    const preview = await previewExportTable(
      { ...good, s3BucketOwner: '444455556666' },
      fakeDynamoDb({ tables: [dynamoError('AccessDeniedException')] }).dynamodb,
      fakeS3(s3Error('AccessDenied', 403)).s3,
      'aws',
    );
    expect(preview.facts).toMatchObject({ tableExists: null, pointInTimeRecovery: null, bucketExists: null, prefixHasObjects: null });
    expect(preview.warnings).toEqual([
      'could not tell whether table orders (123456789012, us-east-1) exists: DescribeTable was refused',
      'could not tell whether bucket analytics-drop exists: the listing was refused, or it is not owned by account 444455556666',
      'the export cannot run: no table was read, so none can be approved',
    ]);
    expect(preview.preconditions).toEqual({ table: null });
  });

  test('a refused DescribeContinuousBackups warns that recovery could not be checked', async () => {
    const preview = await previewExportTable(
      good,
      fakeDynamoDb({ tables: [TABLE], backups: dynamoError('AccessDeniedException') }).dynamodb,
      fakeS3({ KeyCount: 0 }).s3,
      'aws',
    );
    expect(preview.facts.pointInTimeRecovery).toBeNull();
    expect(preview.warnings).toEqual([
      'could not tell whether point-in-time recovery is enabled on table orders (123456789012, us-east-1) (DescribeContinuousBackups was refused): without it the export fails',
    ]);
  });

  test('other errors (throttling, 5xx) fail the preview so Temporal retries it', async () => {
    const throttled = fakeDynamoDb({ tables: [dynamoError('ThrottlingException')] });
    await expect(previewExportTable(good, throttled.dynamodb, fakeS3({ KeyCount: 0 }).s3, 'aws')).rejects.toMatchObject({ name: 'ThrottlingException' });
    const s3Down = fakeS3(s3Error('InternalError', 500));
    await expect(previewExportTable(good, fakeDynamoDb({ tables: [TABLE], backups: PITR_ON }).dynamodb, s3Down.s3, 'aws')).rejects.toMatchObject({
      name: 'InternalError',
    });
  });
});
