import { randomUUID } from 'node:crypto';
import { CreateTagsCommand, DescribeImagesCommand, DescribeInstancesCommand, EC2Client, RunInstancesCommand, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { timeBoundPolicy } from '../../operations/session-time';
import type { IamStatement } from '../../operations/types';
import { refusedBeforeAnyCredential, startAwsCallHarness, type AwsCallHarness } from '../support/aws-call-harness';

// aws.call EC2 instance state changes through the preview and execute activities, STS and moto
// (whose instances need no docker): the instance hook of operations/aws-call/hooks/ec2.ts, the
// derived policies (ec2:DescribeInstances on * for the preview only), and the refusal of an input
// that names no instance.

let aws: AwsCallHarness;
let ec2: EC2Client;
let imageId: string;

beforeAll(async () => {
  aws = await startAwsCallHarness();
  ec2 = new EC2Client(aws.moto);
  // moto ships Amazon's AMIs in every region: the first x86_64 one, by id so the choice is stable.
  const images = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images ?? [];
  const image = images.filter((candidate) => candidate.Architecture === 'x86_64').sort((a, b) => (a.ImageId ?? '').localeCompare(b.ImageId ?? ''))[0];
  if (!image?.ImageId) throw new Error('moto has no x86_64 AMI owned by amazon');
  imageId = image.ImageId;
});

afterAll(async () => {
  ec2?.destroy();
  await aws?.stop();
});

/** Launches instances named `<name>-1`, `<name>-2`, …, and returns their ids in that order. */
async function launch(count: number): Promise<{ ids: string[]; names: string[] }> {
  const name = `aws-call-${randomUUID().slice(0, 8)}`;
  const launched = await ec2.send(new RunInstancesCommand({ ImageId: imageId, InstanceType: 't3.micro', MinCount: count, MaxCount: count }));
  const ids = (launched.Instances ?? []).map((instance) => instance.InstanceId ?? '');
  const names = ids.map((_, index) => `${name}-${index + 1}`);
  for (const [index, id] of ids.entries()) await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'Name', Value: names[index] }] }));
  return { ids, names };
}

async function states(ids: string[]): Promise<string[]> {
  const response = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  const byId = new Map((response.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((instance) => [instance.InstanceId, instance.State?.Name]));
  return ids.map((id) => byId.get(id) ?? 'missing');
}

function instanceArn(id: string): string {
  return `arn:aws:ec2:us-east-1:123456789012:instance/${id}`;
}

const DESCRIBE: IamStatement = { Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: ['*'] };

it("moto's account is the one the expected ARNs spell out", () => {
  expect(aws.account).toBe('123456789012');
});

it('StopInstances: previews each instance, stops exactly them under the derived policy', async () => {
  const { ids, names } = await launch(2);

  const { input, preview } = await aws.previewed(aws.params('ec2', 'StopInstances', { InstanceIds: ids }));
  expect(preview.facts).toMatchObject({ iamAction: 'ec2:StopInstances', resourceCount: 2, instanceCount: 2, states: 'running: 2', missingInstances: 0 });
  expect(preview.notes).toEqual(expect.arrayContaining(ids.map((id, index) => `${id} (t3.micro, running, Name "${names[index]}")`)));
  expect(preview.warnings).toEqual([]);
  // Not bound: an instance id is never reused, and its state changes on its own.
  expect(input.preconditions).toEqual({ targetSha256: null });

  const result = await aws.execute(input);
  expect(result.outputs.httpStatusCode).toBe(200);
  expect(await states(ids)).toEqual(['stopped', 'stopped']);

  const previewSession = aws.sessionPolicy(input.actionId, 'preview');
  expect(previewSession.policy).toEqual(timeBoundPolicy({ Version: '2012-10-17', Statement: [DESCRIBE] }, previewSession.bound));
  // No recheck, so the execution session may not even list instances.
  const executeSession = aws.sessionPolicy(input.actionId, 'execute');
  expect(executeSession.policy).toEqual(
    timeBoundPolicy(
      {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: ['ec2:StopInstances'], Resource: [instanceArn(ids[0] ?? ''), instanceArn(ids[1] ?? '')] }],
      },
      executeSession.bound,
    ),
  );
});

it('TerminateInstances: warns about an id that does not exist, and terminates the instances it names', async () => {
  const { ids, names } = await launch(2);
  await ec2.send(new StopInstancesCommand({ InstanceIds: [ids[0] ?? ''] }));
  const missing = 'i-0123456789abcdef0';

  const { preview: withMissing } = await aws.preview(aws.params('ec2', 'TerminateInstances', { InstanceIds: [...ids, missing] }));
  expect(withMissing.facts).toMatchObject({ instanceCount: 2, states: 'running: 1, stopped: 1', missingInstances: 1 });
  expect(withMissing.warnings).toContain(`${missing} does not exist in us-east-1: the call would fail (InvalidInstanceID.NotFound)`);
  expect(withMissing.notes).toContain(`${ids[0]} (t3.micro, stopped, Name "${names[0]}")`);

  // A state that changes between review and call does not stop it: nothing is bound.
  const { input } = await aws.previewed(aws.params('ec2', 'TerminateInstances', { InstanceIds: ids }));
  await ec2.send(new StopInstancesCommand({ InstanceIds: [ids[1] ?? ''] }));
  await aws.execute(input);
  expect(await states(ids)).toEqual(['terminated', 'terminated']);
  expect(aws.sessionPolicy(input.actionId, 'execute').policy.Statement).toEqual([
    expect.objectContaining({ Action: ['ec2:TerminateInstances'], Resource: ids.map(instanceArn) }),
  ]);
});

it('refuses a TerminateInstances that names no instance: at resolve, and in the preview before any AssumeRole', async () => {
  const params = aws.params('ec2', 'TerminateInstances', {});
  expect(await refusedBeforeAnyCredential(aws, params)).toMatch(
    /params\.input: no least-privilege session policy: ec2:TerminateInstances needs an instance .*input\.InstanceIds or input\.InstanceId, which the input does not have/,
  );
});
