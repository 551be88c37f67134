import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { createExecuteActivities } from '../../activities/execute';
import { createPreviewActivities } from '../../activities/preview';
import { defaultCatalogue } from '../../operations/catalogue';
import { ec2RunInstances, runInstancesClientToken } from '../../operations/ec2/run-instances';
import { timeBoundPolicy } from '../../operations/session-time';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import type { ExecuteOperationInput, JsonObject } from '../../domain/types';
import { memoryAuditLog } from '../support/audit';
import { failureOf } from '../support/failures';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';
import { requiredEnv, TEST_REGION, testAwsSettings } from '../support/test-aws';

// ec2.runInstances against the shared moto server, through STS (the executor role) and a recording
// proxy that shows what reached AWS. moto ships its default AMIs in every region; the VPC, subnet
// and security group are created here.

let proxy: RecordingProxy;
let ec2: EC2Client;
let accountId: string;
let image: { id: string; name: string };
let subnet: { id: string; az: string; vpcId: string };
let securityGroupId: string;
let activities: ReturnType<typeof createExecuteActivities> & ReturnType<typeof createPreviewActivities>;
let counter = 0;

beforeAll(async () => {
  const moto = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  proxy = await startRecordingProxy(moto);
  const common = { region: TEST_REGION, endpoint: moto, credentials: MOTO_BASE_CREDENTIALS };
  ec2 = new EC2Client(common);
  const sts = new STSClient(common);
  try {
    accountId = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
  } finally {
    sts.destroy();
  }

  // A real moto AMI: the first available x86_64 image Amazon owns, by id so the choice is stable.
  const images = (await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }))).Images ?? [];
  const chosen = images
    .filter(
      (candidate) =>
        candidate.Architecture === 'x86_64' && candidate.State === 'available' && /^ami-[0-9a-f]{8}(?:[0-9a-f]{9})?$/.test(candidate.ImageId ?? ''),
    )
    .sort((a, b) => (a.ImageId ?? '').localeCompare(b.ImageId ?? ''))[0];
  if (!chosen?.ImageId || !chosen.Name) throw new Error('moto has no x86_64 AMI owned by amazon');
  image = { id: chosen.ImageId, name: chosen.Name };

  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.77.0.0/16' }));
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const created = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.77.1.0/24', AvailabilityZone: `${TEST_REGION}b` }));
  subnet = { id: created.Subnet?.SubnetId ?? '', az: created.Subnet?.AvailabilityZone ?? '', vpcId };
  const group = await ec2.send(new CreateSecurityGroupCommand({ GroupName: 'airlock-ec2-it', Description: 'ec2.runInstances integration test', VpcId: vpcId }));
  securityGroupId = group.GroupId ?? '';

  const deps = {
    catalogue: defaultCatalogue(),
    aws: testAwsSettings(proxy.endpoint),
    audit: memoryAuditLog(),
  };
  activities = { ...createExecuteActivities(deps), ...createPreviewActivities(deps) };
}, 60_000);

afterAll(async () => {
  ec2?.destroy();
  await proxy?.stop();
});

function launchParams(overrides: JsonObject = {}): JsonObject {
  return { accountId, imageId: image.id, instanceType: 't3.micro', subnetId: subnet.id, count: 2, ...overrides };
}

function nextActionId(): string {
  counter += 1;
  return `action-ec2.runInstances-ec2test${String(counter).padStart(8, '0')}`;
}

/** The launch as the workflow runs it: previewed first, its execution bound to the image and subnet the preview saw. */
async function executeInput(actionId: string, params: JsonObject): Promise<ExecuteOperationInput> {
  const request = { actionId, action: 'ec2.runInstances', params, requester: { id: 'infra-bot', source: 'api' as const } };
  const preview = await activities.previewOperation(request);
  return { ...request, approvers: ['alice'], ...(preview.preconditions ? { preconditions: preview.preconditions } : {}) };
}

/** Form fields of the EC2/STS query requests the proxy saw with this `Action`. */
function sentForms(action: string): URLSearchParams[] {
  return proxy
    .exchanges()
    .map((exchange) => new URLSearchParams(exchange.requestBody))
    .filter((form) => form.get('Action') === action);
}

async function describeInstances(ids: string[]): Promise<Instance[]> {
  const response = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
  return (response.Reservations ?? []).flatMap((reservation) => reservation.Instances ?? []);
}

describe('ec2.runInstances preview on moto', () => {
  test('reads a real AMI, a created subnet and the instance type', async () => {
    const actionId = nextActionId();
    const params = launchParams({ count: 3 });
    const preview = await activities.previewOperation({ actionId, action: 'ec2.runInstances', params, requester: { id: 'infra-bot', source: 'api' } });

    expect(preview.facts).toEqual({
      instanceType: 't3.micro',
      count: 3,
      imageExists: true,
      imageName: image.name,
      imageOwnerId: expect.any(String),
      subnetExists: true,
      subnetAz: subnet.az,
      subnetVpcId: subnet.vpcId,
      vcpus: 2,
      totalVcpus: 6,
      memoryMiB: 1024,
      totalMemoryMiB: 3072,
    });
    expect(preview.warnings).toEqual([]);
    expect(preview.notes[0]).toBe(
      `launches 3 × t3.micro (2 vCPUs, 1 GiB each; 6 vCPUs, 3 GiB in total) from ${image.id} (${image.name}) in ${subnet.id} (${subnet.az}, ${subnet.vpcId})`,
    );

    // The preview session was asked for with the read-only policy, never the launch policy.
    const [form] = sentForms('AssumeRole').slice(-1);
    expect(form?.get('RoleSessionName')).toBe(`${actionId}.preview`);
    const parsed = ec2RunInstances.params.parse(params);
    const previewPolicy = JSON.parse(form?.get('Policy') ?? '{}');
    expect(previewPolicy).toEqual(
      timeBoundPolicy(ec2RunInstances.previewPolicy(parsed, 'aws'), new Date(previewPolicy.Statement[0].Condition.DateLessThan['aws:CurrentTime'])),
    );
    expect(preview.preconditions).toEqual({ image: { ownerId: expect.any(String) }, subnet: { vpcId: subnet.vpcId, availabilityZone: subnet.az } });
    expect(sentForms('RunInstances').filter((launch) => launch.get('SubnetId') === subnet.id && launch.get('MinCount') === '3')).toEqual([]);
  });

  test('a missing image and subnet are facts and warnings', async () => {
    const params = launchParams({ imageId: 'ami-0000000000000dead', subnetId: 'subnet-0000000000000dead', count: 1 });
    const preview = await activities.previewOperation({
      actionId: nextActionId(),
      action: 'ec2.runInstances',
      params,
      requester: { id: 'infra-bot', source: 'api' },
    });
    expect(preview.facts).toMatchObject({ imageExists: false, subnetExists: false, vcpus: 2, totalVcpus: 2 });
    expect(preview.warnings).toEqual([
      'image ami-0000000000000dead does not exist in this region or is not visible to this account: the launch would fail',
      'subnet subnet-0000000000000dead does not exist in this region: the launch would fail',
    ]);
  });

  test('an instance type moto does not know is a warning', async () => {
    const preview = await activities.previewOperation({
      actionId: nextActionId(),
      action: 'ec2.runInstances',
      params: launchParams({ instanceType: 'zz9.huge', count: 1 }),
      requester: { id: 'infra-bot', source: 'api' },
    });
    expect(preview.facts).toMatchObject({ imageExists: true, subnetExists: true });
    expect(preview.facts).not.toHaveProperty('vcpus');
    expect(preview.warnings).toEqual(['instance type zz9.huge is not offered in this region: the launch would fail']);
  });
});

describe('ec2.runInstances execute on moto', () => {
  test('launches count instances as asked, with the session policy and ClientToken derived from the action', async () => {
    const actionId = nextActionId();
    const params = launchParams({ securityGroupIds: [securityGroupId], tags: { team: 'data', Name: 'airlock it' } });
    const result = await activities.executeOperation(await executeInput(actionId, params));

    expect(result.outputs).toEqual({ instanceIds: expect.stringMatching(/^i-[0-9a-f]+,i-[0-9a-f]+$/), count: 2, reservationId: expect.stringMatching(/^r-/) });
    const ids = String(result.outputs.instanceIds).split(',');
    const instances = await describeInstances(ids);
    expect(instances).toHaveLength(2);
    for (const instance of instances) {
      expect(instance).toMatchObject({
        ImageId: image.id,
        InstanceType: 't3.micro',
        SubnetId: subnet.id,
        VpcId: subnet.vpcId,
        ClientToken: runInstancesClientToken(actionId),
      });
      expect(instance.SecurityGroups?.map((group) => group.GroupId)).toEqual([securityGroupId]);
      expect(instance.Tags ?? []).toEqual(
        expect.arrayContaining([
          { Key: 'team', Value: 'data' },
          { Key: 'Name', Value: 'airlock it' },
        ]),
      );
    }

    const [assume] = sentForms('AssumeRole').slice(-1);
    expect(assume?.get('RoleSessionName')).toBe(actionId);
    const sessionPolicy = JSON.parse(assume?.get('Policy') ?? '{}');
    expect(sessionPolicy).toEqual(
      timeBoundPolicy(
        ec2RunInstances.sessionPolicy(ec2RunInstances.params.parse(params), 'aws'),
        new Date(sessionPolicy.Statement[0].Condition.DateLessThan['aws:CurrentTime']),
      ),
    );
    const [launch] = sentForms('RunInstances').slice(-1);
    expect(launch?.get('ClientToken')).toBe(runInstancesClientToken(actionId));
    expect([launch?.get('MinCount'), launch?.get('MaxCount')]).toEqual(['2', '2']);
  });

  test('a retried execution sends the same ClientToken; moto does not honour it and launches again', async () => {
    const actionId = nextActionId();
    const params = launchParams({ count: 1 });
    const input = await executeInput(actionId, params);
    const launchesBefore = sentForms('RunInstances').length;
    const first = await activities.executeOperation(input);
    const second = await activities.executeOperation(input);

    // What Airlock controls: both attempts carry the identical token, derived from the action id.
    const launches = sentForms('RunInstances').slice(launchesBefore);
    expect(launches.map((form) => form.get('ClientToken'))).toEqual([runInstancesClientToken(actionId), runInstancesClientToken(actionId)]);

    // What moto does (5.x): it records the token on the instance but does not deduplicate on it,
    // so the retry launched a second instance. Real EC2 returns the first reservation instead.
    const instances = await describeInstances([String(first.outputs.instanceIds), String(second.outputs.instanceIds)]);
    expect(instances.map((instance) => instance.ClientToken)).toEqual([runInstancesClientToken(actionId), runInstancesClientToken(actionId)]);
    expect(second.outputs.instanceIds).not.toBe(first.outputs.instanceIds);
  });

  test('another action gets another ClientToken', async () => {
    const [a, b] = [nextActionId(), nextActionId()];
    const [inputA, inputB] = [await executeInput(a, launchParams({ count: 1 })), await executeInput(b, launchParams({ count: 1 }))];
    const launchesBefore = sentForms('RunInstances').length;
    await activities.executeOperation(inputA);
    await activities.executeOperation(inputB);
    const tokens = sentForms('RunInstances')
      .slice(launchesBefore)
      .map((form) => form.get('ClientToken'));
    expect(tokens).toEqual([runInstancesClientToken(a), runInstancesClientToken(b)]);
    expect(tokens[0]).not.toBe(tokens[1]);
  });

  test('no credential moto issued appears in results', async () => {
    const result = await activities.executeOperation(await executeInput(nextActionId(), launchParams({ count: 1 })));
    const secrets = proxy.issuedSecrets();
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) expect(JSON.stringify(result)).not.toContain(secret);
  });

  test('an image the preview did not see is refused (moto would launch an AMI id it does not know): precondition_failed, nothing launched', async () => {
    // moto accepts RunInstances with an AMI id it does not know; the preview saw none, so nothing reviewed would run.
    const actionId = nextActionId();
    const input = await executeInput(actionId, launchParams({ imageId: 'ami-0000000000000beef', count: 1 }));
    expect(input.preconditions).toEqual({ image: null, subnet: { vpcId: subnet.vpcId, availabilityZone: subnet.az } });
    const launchesBefore = sentForms('RunInstances').length;
    const failure = await failureOf(activities.executeOperation(input));
    expect(failure).toMatchObject({ type: 'precondition_failed', nonRetryable: true });
    expect(failure.message).toContain('the preview did not see image ami-0000000000000beef');
    expect(sentForms('RunInstances').length).toBe(launchesBefore);
  });
});
