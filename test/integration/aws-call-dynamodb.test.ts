import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { jsonDigest } from '../../operations/preconditions';
import { timeBoundPolicy } from '../../operations/session-time';
import type { IamStatement } from '../../operations/types';
import { refusedBeforeAnyCredential, startAwsCallHarness, type AwsCallHarness } from '../support/aws-call-harness';
import { failureOf } from '../support/failures';

// aws.call DynamoDB DeleteItem through the preview and execute activities, STS and moto: the item
// hook (operations/aws-call/hooks/dynamodb.ts), the derived policies, the refusal of an input that
// names no table, and the binding to the item as previewed.

let aws: AwsCallHarness;
let dynamodb: DynamoDBClient;
let table: string;

beforeAll(async () => {
  aws = await startAwsCallHarness();
  dynamodb = new DynamoDBClient(aws.moto);
  table = `aws-call-orders-${randomUUID().slice(0, 8)}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
});

afterAll(async () => {
  dynamodb?.destroy();
  await aws?.stop();
});

async function putItem(item: Record<string, AttributeValue>): Promise<void> {
  await dynamodb.send(new PutItemCommand({ TableName: table, Item: item }));
}

async function getItem(pk: string): Promise<Record<string, AttributeValue> | undefined> {
  return (await dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;
}

function deleteItem(pk: string) {
  return aws.params('dynamodb', 'DeleteItem', { TableName: table, Key: { pk: { S: pk } } });
}

it("moto's account is the one the expected ARNs spell out", () => {
  expect(aws.account).toBe('123456789012');
});

it('previews the item, deletes exactly it under the derived policy, with dynamodb:LeadingKeys', async () => {
  const pk = `order-${randomUUID().slice(0, 8)}`;
  const item = { pk: { S: pk }, total: { N: '42' }, status: { S: 'open' } };
  await putItem(item);

  const { input, preview } = await aws.previewed(deleteItem(pk));
  expect(preview.facts).toMatchObject({
    iamAction: 'dynamodb:DeleteItem',
    accessLevel: 'Write',
    itemExists: true,
    itemAttributes: 3,
    itemSha256: jsonDigest(item),
  });
  expect(preview.notes.some((note) => note.startsWith('the item that would be deleted') && note.includes('"total":{"N":"42"}'))).toBe(true);
  expect(input.preconditions).toEqual({ targetSha256: jsonDigest({ item }) });

  const result = await aws.execute(input);
  expect(result.outputs.httpStatusCode).toBe(200);
  expect(await getItem(pk)).toBeUndefined();

  const tableArn = `arn:aws:dynamodb:us-east-1:123456789012:table/${table}`;
  const leadingKeys = { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [pk] } };
  const read: IamStatement = { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [tableArn], Condition: leadingKeys };
  const previewSession = aws.sessionPolicy(input.actionId, 'preview');
  expect(previewSession.policy).toEqual(timeBoundPolicy({ Version: '2012-10-17', Statement: [read] }, previewSession.bound));
  const executeSession = aws.sessionPolicy(input.actionId, 'execute');
  expect(executeSession.policy).toEqual(
    timeBoundPolicy(
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:DeleteItem'], Resource: [tableArn], Condition: leadingKeys }, read] },
      executeSession.bound,
    ),
  );
});

it('refuses a DeleteItem that names no table: at resolve, and in the preview before any AssumeRole', async () => {
  const params = aws.params('dynamodb', 'DeleteItem', { Key: { pk: { S: 'order-1' } } });
  expect(await refusedBeforeAnyCredential(aws, params)).toMatch(
    /params\.input: no least-privilege session policy: dynamodb:DeleteItem needs a table .*input\.TableName, which the input does not have/,
  );
});

it('an item changed after the preview fails the execution precondition_failed, and it is not deleted', async () => {
  const pk = `order-${randomUUID().slice(0, 8)}`;
  await putItem({ pk: { S: pk }, total: { N: '42' } });
  const { input } = await aws.previewed(deleteItem(pk));
  await putItem({ pk: { S: pk }, total: { N: '43' } });

  const failure = await failureOf(aws.execute(input));
  expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
  expect(failure.message).toMatch(/the target of dynamodb DeleteItem changed after the preview .*nothing was called/);
  expect(await getItem(pk)).toEqual({ pk: { S: pk }, total: { N: '43' } });
});

it('an item absent at the preview that appears before the execution is not deleted', async () => {
  const pk = `order-${randomUUID().slice(0, 8)}`;
  const { input, preview } = await aws.previewed(deleteItem(pk));
  expect(preview.facts.itemExists).toBe(false);
  await putItem({ pk: { S: pk }, total: { N: '7' } });

  const failure = await failureOf(aws.execute(input));
  expect(failure.type).toBe('precondition_failed');
  expect(await getItem(pk)).toEqual({ pk: { S: pk }, total: { N: '7' } });
});
