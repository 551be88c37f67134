import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { expectSessionPolicy, refusedBeforeAnyCredential, startAwsCallHarness, unique, type AwsCallHarness } from '../support/aws-call-harness';
import { failureOf } from '../support/failures';

// aws.call on SQS through the preview and execute activities, STS on moto. Message counts change
// on their own, so only SetQueueAttributes binds its execution to what the preview read.

const ACCOUNT = '123456789012';
let aws: AwsCallHarness;
let sqs: SQSClient;

beforeAll(async () => {
  aws = await startAwsCallHarness();
  sqs = new SQSClient(aws.moto);
});
afterAll(async () => {
  sqs?.destroy();
  await aws?.stop();
});

async function createQueue(messages: number): Promise<{ name: string; url: string }> {
  const name = unique('airlock-q');
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? '';
  for (let i = 0; i < messages; i += 1) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `job ${i}` }));
  return { name, url };
}

async function attribute(url: string, name: 'ApproximateNumberOfMessages' | 'VisibilityTimeout'): Promise<string | undefined> {
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: [name] }))).Attributes?.[name];
}

test('moto is the account the literal ARNs below name', () => {
  expect(aws.account).toBe(ACCOUNT);
});

test('PurgeQueue: the preview counts the messages, the execution purges them; each session names only the queue', async () => {
  const queue = await createQueue(3);
  const arn = `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue.name}`;
  const params = aws.params('sqs', 'PurgeQueue', { QueueUrl: queue.url });
  const { input, preview } = await aws.previewed(params);
  expect(preview.facts).toMatchObject({
    queueExists: true,
    queueArn: arn,
    approximateMessages: 3,
    approximateMessagesNotVisible: 0,
    approximateMessagesDelayed: 0,
    iamAction: 'sqs:PurgeQueue',
    accessLevel: 'Write',
    resource: arn,
  });
  expect(preview.notes).toContain('PurgeQueue deletes about 3 messages (in flight and delayed ones included), with no way back');
  expect(preview.warnings).toEqual(['about 3 messages would be deleted']);
  // Counts change on their own: nothing is bound.
  expect(preview.preconditions).toEqual({ targetSha256: null });
  expectSessionPolicy(aws, input.actionId, 'preview', [{ Effect: 'Allow', Action: ['sqs:GetQueueAttributes'], Resource: [arn] }]);

  const result = await aws.execute(input);
  expect(result.outputs.httpStatusCode).toBe(200);
  expectSessionPolicy(aws, input.actionId, 'execute', [{ Effect: 'Allow', Action: ['sqs:PurgeQueue'], Resource: [arn] }]);
  expect(await attribute(queue.url, 'ApproximateNumberOfMessages')).toBe('0');
});

test('SendMessageBatch: authorized as sqs:SendMessage; the messages arrive', async () => {
  const queue = await createQueue(1);
  const arn = `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue.name}`;
  const entries = [
    { Id: 'a', MessageBody: 'first' },
    { Id: 'b', MessageBody: 'second' },
  ];
  const params = aws.params('sqs', 'SendMessageBatch', { QueueUrl: queue.url, Entries: entries });
  const { input, preview } = await aws.previewed(params);
  expect(preview.facts).toMatchObject({ approximateMessages: 1, messagesToSend: 2, iamAction: 'sqs:SendMessage' });
  expect(preview.notes).toContain('adds 2 messages to the queue');
  await aws.execute(input);
  expectSessionPolicy(aws, input.actionId, 'execute', [{ Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [arn] }]);

  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, MaxNumberOfMessages: 10 }));
  expect((received.Messages ?? []).map((message) => message.Body).sort()).toEqual(['first', 'job 0', 'second']);
});

describe('SetQueueAttributes: bound to the attributes it sets', () => {
  const setTimeout60 = (url: string) => aws.params('sqs', 'SetQueueAttributes', { QueueUrl: url, Attributes: { VisibilityTimeout: '60' } });

  test('shows old → new, rechecks under its own session, and runs when only the message count moved', async () => {
    const queue = await createQueue(0);
    const arn = `arn:aws:sqs:us-east-1:${ACCOUNT}:${queue.name}`;
    const params = setTimeout60(queue.url);
    const { input, preview } = await aws.previewed(params);
    expect(preview.facts).toMatchObject({ accessLevel: 'Permissions management', approximateMessages: 0 });
    expect(preview.notes).toContain('VisibilityTimeout: 30 → 60');
    expect(preview.preconditions).toEqual({ targetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expectSessionPolicy(aws, input.actionId, 'preview', [{ Effect: 'Allow', Action: ['sqs:GetQueueAttributes'], Resource: [arn] }]);

    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: 'arrived after the review' }));
    await aws.execute(input);
    // The call, then the recheck's read, both on this queue alone.
    expectSessionPolicy(aws, input.actionId, 'execute', [
      { Effect: 'Allow', Action: ['sqs:SetQueueAttributes'], Resource: [arn] },
      { Effect: 'Allow', Action: ['sqs:GetQueueAttributes'], Resource: [arn] },
    ]);
    expect(await attribute(queue.url, 'VisibilityTimeout')).toBe('60');
  });

  test('an attribute changed after the preview fails precondition_failed and keeps the other value', async () => {
    const queue = await createQueue(0);
    const params = setTimeout60(queue.url);
    const { input } = await aws.previewed(params);
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { VisibilityTimeout: '45' } }));

    const failure = await failureOf(aws.execute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain('the target of sqs SetQueueAttributes changed after the preview');
    expect(await attribute(queue.url, 'VisibilityTimeout')).toBe('45');
  });
});

test('a queue that does not exist: the preview says the call would fail', async () => {
  const name = unique('airlock-q-none');
  const { preview } = await aws.preview(aws.params('sqs', 'PurgeQueue', { QueueUrl: `${aws.moto.endpoint}/${ACCOUNT}/${name}` }));
  expect(preview.facts).toMatchObject({ queueExists: false });
  expect(preview.warnings).toEqual([`queue ${aws.moto.endpoint}/${ACCOUNT}/${name} does not exist: the call would fail`]);
});

test('PurgeQueue without QueueUrl is refused at resolve, and the preview fails before any AssumeRole', async () => {
  const params = aws.params('sqs', 'PurgeQueue', {});
  expect(await refusedBeforeAnyCredential(aws, params)).toBe(
    'invalid params for aws.call: params.input: no least-privilege session policy: sqs:PurgeQueue needs a queue ' +
      '(arn:${Partition}:sqs:${Region}:${Account}:${QueueName}): ${QueueName} comes from input.QueueUrl or input.QueueName, which the input does not have',
  );
});
