import { randomUUID } from 'node:crypto';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeExportCommand,
  DynamoDBClient,
  ListExportsCommand,
  PutItemCommand,
  UpdateContinuousBackupsCommand,
  type ExportSummary,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createExecuteActivities } from '../../activities/execute';
import { createPreviewActivities } from '../../activities/preview';
import type { ExecuteOperationInput, JsonObject } from '../../domain/types';
import { Catalogue } from '../../operations/catalogue';
import { dynamodbExportTableToPointInTime, exportTableClientToken } from '../../operations/dynamodb/export-table';
import { timeBoundPolicy } from '../../operations/session-time';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { memoryAuditLog } from '../support/audit';
import { eventually } from '../support/eventually';
import { failureOf } from '../support/failures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { putObject, requiredEnv, TEST_REGION, testAwsSettings, testS3 } from '../support/test-aws';

// dynamodb.exportTableToPointInTime against the shared moto server, through STS (the executor role)
// and a recording proxy that shows what reached AWS, run by the preview and execute activities as
// the workflow runs them. Each test makes its own table and bucket. The operation is not in the
// default catalogue yet, so these activities get a catalogue of their own holding it.

const ACTION = 'dynamodb.exportTableToPointInTime';
let proxy: RecordingProxy;
let dynamodb: DynamoDBClient;
let s3: S3Client;
let accountId: string;
let activities: ReturnType<typeof createExecuteActivities> & ReturnType<typeof createPreviewActivities>;
let counter = 0;

beforeAll(async () => {
  const moto = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  proxy = await startRecordingProxy(moto);
  const common = { region: TEST_REGION, endpoint: moto, credentials: MOTO_BASE_CREDENTIALS };
  dynamodb = new DynamoDBClient(common);
  s3 = testS3();
  const sts = new STSClient(common);
  try {
    accountId = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  } finally {
    sts.destroy();
  }
  const deps = { catalogue: new Catalogue([dynamodbExportTableToPointInTime]), aws: testAwsSettings(proxy.endpoint), audit: memoryAuditLog() };
  activities = { ...createExecuteActivities(deps), ...createPreviewActivities(deps) };
});

afterAll(async () => {
  dynamodb?.destroy();
  s3?.destroy();
  await proxy?.stop();
});

function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

function nextActionId(): string {
  counter += 1;
  return `action-dynamodb.export-ddbtest${String(counter).padStart(8, '0')}`;
}

/** A table of `items` items (key `pk`), with point-in-time recovery on unless asked otherwise. */
async function createTable(options: { name?: string; items?: number; pitr?: boolean } = {}): Promise<string> {
  const name = options.name ?? unique('airlock-orders');
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    }),
  );
  for (let i = 0; i < (options.items ?? 3); i += 1) {
    await dynamodb.send(new PutItemCommand({ TableName: name, Item: { pk: { S: `order-${i}` }, total: { N: String(10 * i) } } }));
  }
  if (options.pitr ?? true) {
    await dynamodb.send(new UpdateContinuousBackupsCommand({ TableName: name, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
  }
  return name;
}

async function createBucket(): Promise<string> {
  const bucket = unique('airlock-ddb-export');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

function tableArnOf(tableName: string): string {
  return `arn:aws:dynamodb:${TEST_REGION}:${accountId}:table/${tableName}`;
}

function exportParams(tableName: string, bucket: string, overrides: JsonObject = {}): JsonObject {
  return { tableName, accountId, region: TEST_REGION, s3Bucket: bucket, s3Prefix: 'exports/orders', ...overrides };
}

function request(actionId: string, params: JsonObject) {
  return { actionId, action: ACTION, params, requester: { id: 'analytics-bot', source: 'api' as const } };
}

/** The export as the workflow runs it: previewed first, its execution bound to the table the preview saw. */
async function executeInput(actionId: string, params: JsonObject): Promise<ExecuteOperationInput> {
  const preview = await activities.previewOperation(request(actionId, params));
  return { ...request(actionId, params), approvers: ['alice'], ...(preview.preconditions ? { preconditions: preview.preconditions } : {}) };
}

/** The last AssumeRole the proxy saw: its session name and its session policy. */
function lastAssumeRole(): { sessionName: string | null; policy: ReturnType<typeof JSON.parse> } {
  const forms = proxy
    .exchanges()
    .map((exchange) => new URLSearchParams(exchange.requestBody))
    .filter((form) => form.get('Action') === 'AssumeRole');
  const form = forms[forms.length - 1];
  return { sessionName: form?.get('RoleSessionName') ?? null, policy: JSON.parse(form?.get('Policy') ?? '{}') };
}

/** The ExportTableToPointInTime request bodies (DynamoDB JSON) the proxy saw for this table. */
function exportRequests(tableName: string): Record<string, unknown>[] {
  return proxy.exchanges().flatMap((exchange) => {
    if (!exchange.requestBody.startsWith('{')) return [];
    const body = JSON.parse(exchange.requestBody) as Record<string, unknown>;
    return body.TableArn === tableArnOf(tableName) && 'S3Bucket' in body ? [body] : [];
  });
}

async function exportsOf(tableName: string): Promise<ExportSummary[]> {
  return (await dynamodb.send(new ListExportsCommand({ TableArn: tableArnOf(tableName) }))).ExportSummaries ?? [];
}

describe('dynamodb.exportTableToPointInTime preview on moto', () => {
  test('facts of a table with point-in-time recovery and an empty prefix, under the read-only preview policy', async () => {
    const [tableName, bucket] = [await createTable({ items: 3 }), await createBucket()];
    const actionId = nextActionId();
    const params = exportParams(tableName, bucket);
    const preview = await activities.previewOperation(request(actionId, params));

    expect(preview.facts).toEqual({
      tableExists: true,
      tableStatus: 'ACTIVE',
      itemCount: 3,
      tableBytes: 0, // moto always says 0
      pointInTimeRecovery: true,
      exportFormat: 'DYNAMODB_JSON',
      destination: `s3://${bucket}/exports/orders/`,
      bucketExists: true,
      prefixHasObjects: false,
    });
    expect(preview.warnings).toEqual([]);
    expect(preview.notes[0]).toBe(
      `exports table ${tableName} (${accountId}, ${TEST_REGION}), 3 items in 0 bytes (DynamoDB updates these figures about every six hours), ` +
        `as of the moment the export starts, as DYNAMODB_JSON, to s3://${bucket}/exports/orders/AWSDynamoDB/<export id>/, which is empty`,
    );
    // moto gives tables no TableId: the binding is the creation time alone.
    expect(preview.preconditions).toEqual({ table: { tableId: null, createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) } });

    // The preview session was asked for with the read-only policy, never the export's.
    const assumed = lastAssumeRole();
    expect(assumed.sessionName).toBe(`${actionId}.preview`);
    const parsed = dynamodbExportTableToPointInTime.params.parse(params);
    expect(assumed.policy).toEqual(
      timeBoundPolicy(
        dynamodbExportTableToPointInTime.previewPolicy(parsed, 'aws'),
        new Date(assumed.policy.Statement[0].Condition.DateLessThan['aws:CurrentTime']),
      ),
    );
    expect(exportRequests(tableName)).toEqual([]);
  });

  test('a prefix that holds objects, recovery off, and a missing bucket are facts with warnings', async () => {
    const [tableName, bucket] = [await createTable({ pitr: false }), await createBucket()];
    await putObject(s3, bucket, 'exports/orders/older/part-0.json', '{}');
    const preview = await activities.previewOperation(request(nextActionId(), exportParams(tableName, bucket)));
    expect(preview.facts).toMatchObject({ tableExists: true, pointInTimeRecovery: false, bucketExists: true, prefixHasObjects: true });
    expect(preview.warnings).toEqual([
      `point-in-time recovery is not enabled on table ${tableName} (${accountId}, ${TEST_REGION}): the export would fail (an export reads the table's continuous backups)`,
      `s3://${bucket}/exports/orders/ already holds objects: the export adds its files beside them (under exports/orders/AWSDynamoDB/<export id>/), ` +
        'mixing this table with whatever else readers of the prefix pick up',
    ]);

    // An object whose key merely starts with the prefix's name, outside `<prefix>/`, is not in it.
    const other = await createBucket();
    await putObject(s3, other, 'exports/orders-old.json', '{}');
    const beside = await activities.previewOperation(request(nextActionId(), exportParams(tableName, other)));
    expect(beside.facts).toMatchObject({ bucketExists: true, prefixHasObjects: false });

    const missing = await activities.previewOperation(request(nextActionId(), exportParams(unique('airlock-none'), unique('airlock-no-bucket'))));
    expect(missing.facts).toMatchObject({ tableExists: false, pointInTimeRecovery: null, bucketExists: false, prefixHasObjects: false });
    expect(missing.preconditions).toEqual({ table: null });
  });
});

describe('dynamodb.exportTableToPointInTime execute on moto', () => {
  test('starts an export of the table to the prefix, with the session policy and a ClientToken from the action', async () => {
    const [tableName, bucket] = [await createTable({ items: 3 }), await createBucket()];
    const actionId = nextActionId();
    const params = exportParams(tableName, bucket, { exportFormat: 'DYNAMODB_JSON' });
    const result = await activities.executeOperation(await executeInput(actionId, params));

    expect(result.summary).toBe(`export DynamoDB table ${tableName} (${accountId}, ${TEST_REGION}) to s3://${bucket}/exports/orders/ as DYNAMODB_JSON`);
    expect(result.outputs).toEqual({
      exportArn: expect.stringContaining(tableName),
      // DynamoDB answers IN_PROGRESS; moto's export thread may have finished a 3-item table before it answers.
      exportStatus: expect.stringMatching(/^(IN_PROGRESS|COMPLETED)$/),
      tableArn: tableArnOf(tableName),
      destination: `s3://${bucket}/exports/orders/`,
      exportFormat: 'DYNAMODB_JSON',
    });

    // DynamoDB knows the export, of this table, to this bucket and prefix.
    const listed = await exportsOf(tableName);
    expect(listed.map((summary) => summary.ExportArn)).toEqual([result.outputs.exportArn]);
    const described = await eventually(async () => {
      const description = (await dynamodb.send(new DescribeExportCommand({ ExportArn: String(result.outputs.exportArn) }))).ExportDescription;
      return description?.ExportStatus === 'COMPLETED' && description;
    });
    expect(described).toMatchObject({
      TableArn: tableArnOf(tableName),
      S3Bucket: bucket,
      S3Prefix: 'exports/orders',
      ExportFormat: 'DYNAMODB_JSON',
      ItemCount: 3,
    });
    // moto writes its one data file under <prefix>/AWSDynamoDB/, inside the session policy's `<prefix>/*`.
    const keys = await eventually(async () => {
      const contents = (await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? [];
      return contents.length > 0 && contents.map((object) => object.Key ?? '');
    });
    expect(keys).toEqual([expect.stringMatching(/^exports\/orders\/AWSDynamoDB\/[^/]+\/data\/[^/]+\.gz$/)]);

    // What reached AWS: the exact request, and the exact session policy for it.
    expect(exportRequests(tableName)).toEqual([
      {
        TableArn: tableArnOf(tableName),
        S3Bucket: bucket,
        S3Prefix: 'exports/orders',
        ExportFormat: 'DYNAMODB_JSON',
        ExportType: 'FULL_EXPORT',
        ClientToken: exportTableClientToken(actionId),
      },
    ]);
    const assumed = lastAssumeRole();
    expect(assumed.sessionName).toBe(actionId);
    expect(assumed.policy).toEqual(
      timeBoundPolicy(
        dynamodbExportTableToPointInTime.sessionPolicy(dynamodbExportTableToPointInTime.params.parse(params), 'aws'),
        new Date(assumed.policy.Statement[0].Condition.DateLessThan['aws:CurrentTime']),
      ),
    );
    for (const secret of proxy.issuedSecrets()) expect(JSON.stringify(result)).not.toContain(secret);
  });

  test('a retried execution sends the identical request and ClientToken; moto does not honour the token and exports again', async () => {
    const [tableName, bucket] = [await createTable(), await createBucket()];
    const actionId = nextActionId();
    const input = await executeInput(actionId, exportParams(tableName, bucket));
    const first = await activities.executeOperation(input);
    const second = await activities.executeOperation(input);

    // What Airlock controls: both attempts send the same request, token included, derived from the action id.
    const sent = exportRequests(tableName);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toEqual(sent[0]);
    expect(sent[0]?.ClientToken).toBe(exportTableClientToken(actionId));

    // What moto (5.2) does: it ignores ClientToken, so the retry started a second export. DynamoDB
    // returns the first export for the same token and request within 8 hours (see the unit test).
    expect(second.outputs.exportArn).not.toBe(first.outputs.exportArn);
    expect(await exportsOf(tableName)).toHaveLength(2);
  });

  test('a table deleted and re-created under the same name after the preview: precondition_failed, nothing exported', async () => {
    const [tableName, bucket] = [await createTable(), await createBucket()];
    const input = await executeInput(nextActionId(), exportParams(tableName, bucket));
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    await createTable({ name: tableName, items: 1 });

    const failure = await failureOf(activities.executeOperation(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain(`table ${tableArnOf(tableName)} is not the table the preview saw: it was deleted and re-created under the same name`);
    expect(failure.message).toContain('nothing was exported');
    expect(exportRequests(tableName)).toEqual([]);
    expect(await exportsOf(tableName)).toEqual([]);
  });

  test('a table deleted after the preview: precondition_failed, nothing exported', async () => {
    const [tableName, bucket] = [await createTable(), await createBucket()];
    const input = await executeInput(nextActionId(), exportParams(tableName, bucket));
    await dynamodb.send(new DeleteTableCommand({ TableName: tableName }));
    const failure = await failureOf(activities.executeOperation(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain('was deleted after the preview');
    expect(exportRequests(tableName)).toEqual([]);
  });

  test('a table without point-in-time recovery: DynamoDB refuses the export, not retried', async () => {
    const [tableName, bucket] = [await createTable({ pitr: false }), await createBucket()];
    const failure = await failureOf(activities.executeOperation(await executeInput(nextActionId(), exportParams(tableName, bucket))));
    expect(failure).toMatchObject({ type: 'PointInTimeRecoveryUnavailableException', nonRetryable: true });
    expect(await exportsOf(tableName)).toEqual([]);
  });
});
