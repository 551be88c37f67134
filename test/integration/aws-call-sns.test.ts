import { CreateTopicCommand, GetTopicAttributesCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { expectSessionPolicy, refusedBeforeAnyCredential, startAwsCallHarness, unique, type AwsCallHarness } from '../support/aws-call-harness';
import { failureOf } from '../support/failures';

// aws.call on SNS through the preview and execute activities, STS on moto. moto's SNS can only be
// observed through its API: a published message is read from an SQS queue subscribed to the topic.
// moto never counts subscriptions in GetTopicAttributes (SubscriptionsConfirmed stays 0), so the
// count facts are asserted as moto reports them.

const ACCOUNT = '123456789012';
let aws: AwsCallHarness;
let sns: SNSClient;
let sqs: SQSClient;

beforeAll(async () => {
  aws = await startAwsCallHarness();
  sns = new SNSClient(aws.moto);
  sqs = new SQSClient(aws.moto);
});
afterAll(async () => {
  sns?.destroy();
  sqs?.destroy();
  await aws?.stop();
});

async function createTopic(): Promise<{ name: string; arn: string }> {
  const name = unique('airlock-topic');
  const arn = (await sns.send(new CreateTopicCommand({ Name: name }))).TopicArn ?? '';
  return { name, arn };
}

/** A queue subscribed to the topic (raw delivery), its URL. */
async function subscribedQueue(topicArn: string): Promise<string> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: unique('airlock-sub') }))).QueueUrl ?? '';
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
  return url;
}

async function displayName(topicArn: string): Promise<string | undefined> {
  return (await sns.send(new GetTopicAttributesCommand({ TopicArn: topicArn }))).Attributes?.DisplayName;
}

test('moto is the account the literal ARNs below name', () => {
  expect(aws.account).toBe(ACCOUNT);
});

test('Publish: the preview reads the topic, the execution publishes; each session names only the topic', async () => {
  const topic = await createTopic();
  expect(topic.arn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:${topic.name}`);
  const queueUrl = await subscribedQueue(topic.arn);
  const params = aws.params('sns', 'Publish', { TopicArn: topic.arn, Message: 'deploy finished' });
  const { input, preview } = await aws.previewed(params);
  expect(preview.facts).toMatchObject({
    topicExists: true,
    topicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:${topic.name}`,
    fifoTopic: false,
    subscriptionsConfirmed: 0,
    subscriptionsPending: 0,
    iamAction: 'sns:Publish',
    accessLevel: 'Write',
  });
  expect(preview.notes).toContain('Publish reaches 0 confirmed subscriptions');
  expect(preview.preconditions).toEqual({ targetSha256: null });
  expectSessionPolicy(aws, input.actionId, 'preview', [
    { Effect: 'Allow', Action: ['sns:GetTopicAttributes'], Resource: [`arn:aws:sns:us-east-1:${ACCOUNT}:${topic.name}`] },
  ]);

  const result = await aws.execute(input);
  expect(result.outputs.MessageId).toEqual(expect.any(String));
  expectSessionPolicy(aws, input.actionId, 'execute', [
    { Effect: 'Allow', Action: ['sns:Publish'], Resource: [`arn:aws:sns:us-east-1:${ACCOUNT}:${topic.name}`] },
  ]);
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
  expect((received.Messages ?? []).map((message) => message.Body)).toEqual(['deploy finished']);
});

test('DeleteTopic: warned, then the topic is gone', async () => {
  const topic = await createTopic();
  const params = aws.params('sns', 'DeleteTopic', { TopicArn: topic.arn });
  const { input, preview } = await aws.previewed(params);
  expect(preview.warnings).toEqual(['DeleteTopic deletes the topic and its 0 confirmed subscriptions']);
  await aws.execute(input);
  await expect(displayName(topic.arn)).rejects.toMatchObject({ name: 'NotFoundException' });
});

describe('SetTopicAttributes: bound to the attribute it sets', () => {
  const rename = (topicArn: string) => aws.params('sns', 'SetTopicAttributes', { TopicArn: topicArn, AttributeName: 'DisplayName', AttributeValue: 'Deploys' });

  test('shows old → new and rechecks under its own session', async () => {
    const topic = await createTopic();
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topic.arn, AttributeName: 'DisplayName', AttributeValue: 'Builds' }));
    const params = rename(topic.arn);
    const { input, preview } = await aws.previewed(params);
    expect(preview.facts).toMatchObject({ accessLevel: 'Permissions management' });
    expect(preview.notes).toContain('DisplayName: Builds → Deploys');
    expect(preview.preconditions).toEqual({ targetSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    await aws.execute(input);
    expectSessionPolicy(aws, input.actionId, 'execute', [
      { Effect: 'Allow', Action: ['sns:SetTopicAttributes'], Resource: [`arn:aws:sns:us-east-1:${ACCOUNT}:${topic.name}`] },
      { Effect: 'Allow', Action: ['sns:GetTopicAttributes'], Resource: [`arn:aws:sns:us-east-1:${ACCOUNT}:${topic.name}`] },
    ]);
    expect(await displayName(topic.arn)).toBe('Deploys');
  });

  test('the attribute changed after the preview fails precondition_failed and keeps the other value', async () => {
    const topic = await createTopic();
    const params = rename(topic.arn);
    const { input } = await aws.previewed(params);
    await sns.send(new SetTopicAttributesCommand({ TopicArn: topic.arn, AttributeName: 'DisplayName', AttributeValue: 'Changed meanwhile' }));

    const failure = await failureOf(aws.execute(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(await displayName(topic.arn)).toBe('Changed meanwhile');
  });
});

test('Publish without TopicArn (to a phone number) is refused at resolve, and the preview fails before any AssumeRole', async () => {
  const params = aws.params('sns', 'Publish', { PhoneNumber: '+15555550100', Message: 'hi' });
  expect(await refusedBeforeAnyCredential(aws, params)).toBe(
    'invalid params for aws.call: params.input: no least-privilege session policy: sns:Publish needs a topic ' +
      '(arn:${Partition}:sns:${Region}:${Account}:${TopicName}): ${TopicName} comes from input.TopicArn or input.Name, which the input does not have',
  );
});
