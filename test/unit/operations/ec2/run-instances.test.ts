import { DescribeImagesCommand, DescribeInstanceTypesCommand, DescribeSubnetsCommand, EC2ServiceException, RunInstancesCommand } from '@aws-sdk/client-ec2';
import {
  assertSeenByPreview,
  ec2RunInstances,
  previewRunInstancesWith,
  runInstancesClientToken,
  runInstancesParams,
  runInstancesWith,
  type Ec2Sender,
  type RunInstancesParams,
} from '../../../../operations/ec2/run-instances';
import { PreconditionFailedError } from '../../../../operations/preconditions';
import { timeBoundPolicy } from '../../../../operations/session-time';
import { MAX_SESSION_POLICY_CHARS, sessionPolicyText, type IamPolicyDocument } from '../../../../operations/types';
import { EC2_LAUNCH } from '../../../support/ec2-params';

const good: RunInstancesParams = EC2_LAUNCH;

/** The messages zod gives for `params`, or [] when accepted. */
function refusals(params: unknown): string[] {
  const result = runInstancesParams.safeParse(params);
  return result.success ? [] : result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('ec2.runInstances params', () => {
  test.each([
    ['the minimal params', good],
    ['no region (the worker region is used)', { ...good, region: undefined }],
    ['8-hex (older) ids', { ...good, imageId: 'ami-12c6146b', subnetId: 'subnet-1a2b3c4d' }],
    ['count 1 and count 20', { ...good, count: 1 }],
    ['count 20', { ...good, count: 20 }],
    ['GovCloud and China regions', { ...good, region: 'us-gov-west-1' }],
    ['cn-north-1', { ...good, region: 'cn-north-1' }],
    ['instance types with dashes and metal sizes', { ...good, instanceType: 'u-6tb1.metal' }],
    ['c7i.metal-24xl', { ...good, instanceType: 'c7i.metal-24xl' }],
    ['m7g.2xlarge', { ...good, instanceType: 'm7g.2xlarge' }],
    ['security groups', { ...good, securityGroupIds: ['sg-12345678', 'sg-0123456789abcdef0'] }],
    [
      'tags with the characters every service accepts',
      { ...good, tags: { Name: 'web 1', 'team/owner': 'data@example.com', cost_centre: 'a+b=c.d:e-f', ünïcode: 'ä', empty: '' } },
    ],
    ['20 tags', { ...good, tags: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, `v${i}`])) }],
  ])('accepts %s', (_name, params) => {
    expect(refusals(params)).toEqual([]);
  });

  test.each([
    ['an 11-digit account', { accountId: '12345678901' }, 'accountId: account id must be exactly 12 digits'],
    ['a wildcard account', { accountId: '*' }, 'accountId: account id must be exactly 12 digits'],
    ['a region wildcard', { region: '*' }, 'region: region must be an AWS region name'],
    ['an upper-case region', { region: 'US-EAST-1' }, 'region: region must be an AWS region name'],
    ['an image wildcard', { imageId: 'ami-*' }, 'imageId: image id must be "ami-" followed by 8 or 17'],
    ['an image id of 10 hex digits', { imageId: 'ami-0123456789' }, 'imageId: image id must be "ami-"'],
    ['an image ARN', { imageId: 'arn:aws:ec2:eu-west-1::image/ami-12c6146b' }, 'imageId: image id must be'],
    ['a subnet with upper-case hex', { subnetId: 'subnet-0123456789ABCDEF0' }, 'subnetId: subnet id must be "subnet-"'],
    ['a subnet wildcard', { subnetId: 'subnet-*' }, 'subnetId: subnet id must be'],
    ['an instance type wildcard', { instanceType: 't3.*' }, 'instanceType: instance type must look like t3.micro'],
    ['an instance type without a size', { instanceType: 't3' }, 'instanceType: instance type must look like t3.micro'],
    ['an upper-case instance type', { instanceType: 'T3.micro' }, 'instanceType: instance type must look like t3.micro'],
    ['count 0', { count: 0 }, 'count: count must be at least 1'],
    ['count 21', { count: 21 }, 'count: count must be at most 20'],
    ['a fractional count', { count: 1.5 }, 'count: count must be a whole number'],
    ['a string count', { count: '2' }, 'count: '],
    ['an empty security group list', { securityGroupIds: [] }, 'securityGroupIds: securityGroupIds must not be empty'],
    ['a security group wildcard', { securityGroupIds: ['sg-*'] }, 'securityGroupIds.0: security group id must be "sg-"'],
    ['a repeated security group', { securityGroupIds: ['sg-12345678', 'sg-12345678'] }, 'securityGroupIds: security group ids must not repeat'],
    ['17 security groups', { securityGroupIds: Array.from({ length: 17 }, (_, i) => `sg-${String(i).padStart(8, '0')}`) }, 'securityGroupIds: at most 16'],
    ['empty tags', { tags: {} }, 'tags: tags must not be empty'],
    ['21 tags', { tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }, 'tags: at most 20 tags'],
    ['a tag key with *', { tags: { 'a*': 'b' } }, 'tags.a*: tag key may contain only'],
    ['a tag value with a policy variable', { tags: { a: '${aws:username}' } }, 'tags.a: tag value may contain only'],
    ['a tag value with ?', { tags: { a: 'b?' } }, 'tags.a: tag value may contain only'],
    ['a tag key in the aws: namespace', { tags: { 'AWS:owner': 'x' } }, 'tags.AWS:owner: tag key must not start with "aws:"'],
    ['a control character in a tag', { tags: { a: 'b\nc' } }, 'tags.a: tag value may contain only'],
    ['a 129-character tag key', { tags: { ['k'.repeat(129)]: 'v' } }, `tags.${'k'.repeat(129)}: tag key must be at most 128`],
    ['a 257-character tag value', { tags: { k: 'v'.repeat(257) } }, 'tags.k: tag value must be at most 256'],
    ['tag keys differing only in case', { tags: { Env: 'a', env: 'b' } }, 'tags: tag keys must differ in more than letter case'],
    ['tags given as a list', { tags: [{ key: 'a', value: 'b' }] }, 'tags: '],
  ])('refuses %s', (_name, change, expected) => {
    const messages = refusals({ ...good, ...change });
    expect(messages.some((message) => message.startsWith(expected))).toBe(true);
  });

  test('refuses a "__proto__" tag key rather than dropping it', () => {
    expect(refusals({ ...good, tags: JSON.parse('{"__proto__": "x", "a": "b"}') })).toEqual(['tags: tag key must not be "__proto__"']);
  });

  test('refuses extra fields and missing fields', () => {
    expect(refusals({ ...good, keyName: 'admin' })).toEqual([expect.stringContaining('Unrecognized key')]);
    expect(refusals({ ...good, userData: 'IyEvYmluL3NoCg==' })).not.toEqual([]);
    const { subnetId: _omitted, ...missing } = good;
    expect(refusals(missing)).toEqual([expect.stringMatching(/^subnetId: /)]);
    expect(refusals(null)).not.toEqual([]);
  });

  test('refuses tags that together would not fit the STS session policy limit', () => {
    const big = Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`key-${i}`.padEnd(100, 'k'), 'v'.repeat(200)]));
    expect(refusals({ ...good, tags: big })).toEqual([expect.stringContaining('2048-character STS limit')]);
    const small = Object.fromEntries(Array.from({ length: 2 }, (_, i) => [`key-${i}`.padEnd(100, 'k'), 'v'.repeat(200)]));
    expect(refusals({ ...good, tags: small })).toEqual([]);
  });
});

describe('ec2.runInstances session policy', () => {
  test('with security groups and no tags: instance/* bounded by type, everything else named, no CreateTags', () => {
    const params = { ...good, securityGroupIds: ['sg-0123456789abcdef0', 'sg-12345678'] };
    expect(ec2RunInstances.sessionPolicy(params, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['ec2:RunInstances'],
          Resource: ['arn:aws:ec2:eu-west-1:123456789012:instance/*'],
          Condition: { StringEquals: { 'ec2:InstanceType': 't3.micro' } },
        },
        {
          Effect: 'Allow',
          Action: ['ec2:RunInstances'],
          Resource: [
            'arn:aws:ec2:eu-west-1::image/ami-0abcdef1234567890',
            'arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0123456789abcdef0',
            'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0123456789abcdef0',
            'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-12345678',
            'arn:aws:ec2:eu-west-1:123456789012:network-interface/*',
            'arn:aws:ec2:eu-west-1:123456789012:volume/*',
          ],
        },
      ],
    });
  });

  test('without security groups: the VPC default group is allowed as security-group/*', () => {
    expect(ec2RunInstances.sessionPolicy(good, 'aws').Statement[1]?.Resource).toEqual([
      'arn:aws:ec2:eu-west-1::image/ami-0abcdef1234567890',
      'arn:aws:ec2:eu-west-1:123456789012:subnet/subnet-0123456789abcdef0',
      'arn:aws:ec2:eu-west-1:123456789012:security-group/*',
      'arn:aws:ec2:eu-west-1:123456789012:network-interface/*',
      'arn:aws:ec2:eu-west-1:123456789012:volume/*',
    ]);
  });

  test('with tags: CreateTags only at launch, only these keys, only these values', () => {
    const params = runInstancesParams.parse({ ...good, securityGroupIds: ['sg-12345678'], tags: { Name: 'etl worker', team: 'data' } });
    const policy = ec2RunInstances.sessionPolicy(params, 'aws-cn');
    expect(policy.Statement).toHaveLength(3);
    expect(policy.Statement[2]).toEqual({
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: ['arn:aws-cn:ec2:eu-west-1:123456789012:instance/*', 'arn:aws-cn:ec2:eu-west-1:123456789012:volume/*'],
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'RunInstances', 'aws:RequestTag/Name': 'etl worker', 'aws:RequestTag/team': 'data' },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['Name', 'team'] },
      },
    });
    expect(policy.Statement[0]?.Resource).toEqual(['arn:aws-cn:ec2:eu-west-1:123456789012:instance/*']);
  });

  test('without a region: the region segment is * and nothing else changes', () => {
    const { region: _region, ...params } = good;
    expect(ec2RunInstances.sessionPolicy(params, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['ec2:RunInstances'],
          Resource: ['arn:aws:ec2:*:123456789012:instance/*'],
          Condition: { StringEquals: { 'ec2:InstanceType': 't3.micro' } },
        },
        {
          Effect: 'Allow',
          Action: ['ec2:RunInstances'],
          Resource: [
            'arn:aws:ec2:*::image/ami-0abcdef1234567890',
            'arn:aws:ec2:*:123456789012:subnet/subnet-0123456789abcdef0',
            'arn:aws:ec2:*:123456789012:security-group/*',
            'arn:aws:ec2:*:123456789012:network-interface/*',
            'arn:aws:ec2:*:123456789012:volume/*',
          ],
        },
      ],
    });
  });

  /** Every `*` in the policy, as `<action> <resource>`, after each has been checked for its bound. */
  function wildcards(policy: IamPolicyDocument): string[] {
    const found: string[] = [];
    for (const statement of policy.Statement) {
      expect(statement.Effect).toBe('Allow');
      expect(Object.keys(statement).every((key) => ['Effect', 'Action', 'Resource', 'Condition'].includes(key))).toBe(true);
      for (const action of statement.Action) expect(action).not.toMatch(/[*?]/);
      for (const resource of statement.Resource) {
        expect(resource).not.toContain('?');
        expect(resource).not.toContain('${');
        if (resource.includes('*')) found.push(`${statement.Action.join(',')} ${resource}`);
      }
    }
    return found.sort();
  }

  test.each([
    ['no security groups, no tags', good, ['security-group/*']],
    ['security groups, no tags', { ...good, securityGroupIds: ['sg-12345678'] }, []],
    ['security groups and tags', { ...good, securityGroupIds: ['sg-12345678'], tags: { env: 'prod' } }, ['tags']],
    ['no security groups, tags', { ...good, tags: { env: 'prod' } }, ['security-group/*', 'tags']],
  ])('the only wildcards are the unavoidable ones (%s)', (_name, input, extras) => {
    const params = runInstancesParams.parse(input);
    const policy = ec2RunInstances.sessionPolicy(params, 'aws');
    const base = 'arn:aws:ec2:eu-west-1:123456789012';
    const expected = [
      `ec2:RunInstances ${base}:instance/*`,
      `ec2:RunInstances ${base}:network-interface/*`,
      `ec2:RunInstances ${base}:volume/*`,
      ...(extras.includes('security-group/*') ? [`ec2:RunInstances ${base}:security-group/*`] : []),
      ...(extras.includes('tags') ? [`ec2:CreateTags ${base}:instance/*`, `ec2:CreateTags ${base}:volume/*`] : []),
    ].sort();
    expect(wildcards(policy)).toEqual(expected);
    // instance/* is launched only with the requested type; CreateTags only at launch.
    const instanceStatement = policy.Statement.find((s) => s.Action.includes('ec2:RunInstances') && s.Resource.includes(`${base}:instance/*`));
    expect(instanceStatement?.Resource).toEqual([`${base}:instance/*`]);
    expect(instanceStatement?.Condition).toEqual({ StringEquals: { 'ec2:InstanceType': 't3.micro' } });
    for (const statement of policy.Statement.filter((s) => s.Action.includes('ec2:CreateTags'))) {
      expect(statement.Condition?.StringEquals?.['ec2:CreateAction']).toBe('RunInstances');
    }
    // The exactly-named resources carry no wildcard: image, subnet, given security groups.
    expect(JSON.stringify(policy)).toContain(`"arn:aws:ec2:eu-west-1::image/${good.imageId}"`);
    expect(JSON.stringify(policy)).toContain(`"${base}:subnet/${good.subnetId}"`);
  });

  test('fits the STS limit for the largest params the schema accepts without tags', () => {
    const params = runInstancesParams.parse({ ...good, securityGroupIds: Array.from({ length: 16 }, (_, i) => `sg-${String(i).padStart(17, '0')}`) });
    expect(
      sessionPolicyText(timeBoundPolicy(ec2RunInstances.sessionPolicy(params, 'aws-us-gov'), new Date('2026-11-30T12:00:00Z'))).length,
    ).toBeLessThanOrEqual(MAX_SESSION_POLICY_CHARS);
  });

  test('refuses a partition that is not one', () => {
    expect(() => ec2RunInstances.sessionPolicy(good, '*')).toThrow(/invalid AWS partition/);
    expect(() => ec2RunInstances.previewPolicy(good, 'aws:ec2:*')).toThrow(/invalid AWS partition/);
  });
});

describe('ec2.runInstances preview policy', () => {
  test('is the three Describe actions on * (no resource-level permissions), bounded to the region', () => {
    expect(ec2RunInstances.previewPolicy(good, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Action: ['ec2:DescribeImages', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSubnets'],
          Resource: ['*'],
          Condition: { StringEquals: { 'aws:RequestedRegion': 'eu-west-1' } },
        },
      ],
    });
  });

  test('without a region it has no region condition', () => {
    const { region: _region, ...params } = good;
    expect(ec2RunInstances.previewPolicy(params, 'aws')).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ec2:DescribeImages', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSubnets'], Resource: ['*'] }],
    });
  });
});

describe('ec2.runInstances ClientToken', () => {
  test('is stable for one action id, different for another, and at most 64 ASCII characters', () => {
    const a = runInstancesClientToken('action-ec2.runInstances-aaaaaaaaaaaaaaaa');
    expect(runInstancesClientToken('action-ec2.runInstances-aaaaaaaaaaaaaaaa')).toBe(a);
    expect(runInstancesClientToken('action-ec2.runInstances-aaaaaaaaaaaaaaab')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
  });
});

/** A fake EC2 client: answers by command class, records what was sent. */
function fakeEc2(answer: (command: object) => unknown): { ec2: Ec2Sender; sent: object[] } {
  const sent: object[] = [];
  const ec2 = {
    send: async (command: object) => {
      sent.push(command);
      return answer(command);
    },
  } as unknown as Ec2Sender; // the operation only calls send()
  return { ec2, sent };
}

function ec2Error(name: string): EC2ServiceException {
  return new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message: name });
}

describe('ec2.runInstances execute', () => {
  test('launches exactly count instances with the action-derived ClientToken and returns the ids', async () => {
    const { ec2, sent } = fakeEc2(() => ({ ReservationId: 'r-0123', Instances: [{ InstanceId: 'i-01' }, { InstanceId: 'i-02' }] }));
    const params = runInstancesParams.parse({ ...good, securityGroupIds: ['sg-12345678'], tags: { team: 'data' } });
    const outcome = await runInstancesWith(ec2, params, 'action-ec2.runInstances-aaaaaaaaaaaaaaaa');

    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeInstanceOf(RunInstancesCommand);
    expect((sent[0] as RunInstancesCommand).input).toEqual({
      ImageId: 'ami-0abcdef1234567890',
      InstanceType: 't3.micro',
      SubnetId: 'subnet-0123456789abcdef0',
      MinCount: 2,
      MaxCount: 2,
      ClientToken: runInstancesClientToken('action-ec2.runInstances-aaaaaaaaaaaaaaaa'),
      SecurityGroupIds: ['sg-12345678'],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: [{ Key: 'team', Value: 'data' }] },
        { ResourceType: 'volume', Tags: [{ Key: 'team', Value: 'data' }] },
      ],
    });
    expect(outcome).toEqual({
      summary: 'launch 2 t3.micro instances from ami-0abcdef1234567890 in subnet-0123456789abcdef0 (eu-west-1), account 123456789012',
      outputs: { instanceIds: 'i-01,i-02', count: 2, reservationId: 'r-0123' },
    });
  });

  test('sends no security groups or tags when none are given', async () => {
    const { ec2, sent } = fakeEc2(() => ({ Instances: [{ InstanceId: 'i-01' }] }));
    await runInstancesWith(ec2, { ...good, count: 1 }, 'x');
    const input = (sent[0] as RunInstancesCommand).input;
    expect(input).not.toHaveProperty('SecurityGroupIds');
    expect(input).not.toHaveProperty('TagSpecifications');
  });

  test('is marked idempotent and summarizes exactly', () => {
    expect(ec2RunInstances.name).toBe('ec2.runInstances');
    expect(ec2RunInstances.idempotent).toBe(true);
    const { region: _region, ...noRegion } = good;
    expect(ec2RunInstances.summarize({ ...noRegion, count: 1 })).toBe(
      'launch 1 t3.micro instance from ami-0abcdef1234567890 in subnet-0123456789abcdef0, account 123456789012',
    );
  });
});

const IMAGE = { ImageId: good.imageId, Name: 'al2023-ami-2023.6', OwnerId: '137112412989', State: 'available', Architecture: 'x86_64' };
const SUBNET = { SubnetId: good.subnetId, AvailabilityZone: 'eu-west-1a', VpcId: 'vpc-0123456789abcdef0', AvailableIpAddressCount: 250 };
const T3_MICRO = {
  InstanceType: 't3.micro',
  VCpuInfo: { DefaultVCpus: 2 },
  MemoryInfo: { SizeInMiB: 1024 },
  ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
};

function describing(overrides: { image?: unknown; subnet?: unknown; type?: unknown } = {}) {
  return fakeEc2((command) => {
    const pick = (value: unknown, fallback: unknown, key: string) => {
      if (value instanceof Error) throw value;
      return { [key]: value === undefined ? [fallback] : value === null ? [] : [value] };
    };
    if (command instanceof DescribeImagesCommand) return pick(overrides.image, IMAGE, 'Images');
    if (command instanceof DescribeSubnetsCommand) return pick(overrides.subnet, SUBNET, 'Subnets');
    if (command instanceof DescribeInstanceTypesCommand) return pick(overrides.type, T3_MICRO, 'InstanceTypes');
    throw new Error(`unexpected command ${command.constructor.name}`);
  });
}

describe('ec2.runInstances preview', () => {
  test('reads the image, subnet and type and totals the size', async () => {
    const { ec2, sent } = describing();
    const preview = await previewRunInstancesWith(ec2, runInstancesParams.parse({ ...good, count: 3, tags: { team: 'data' } }));
    expect(preview).toEqual({
      facts: {
        instanceType: 't3.micro',
        count: 3,
        imageExists: true,
        imageName: 'al2023-ami-2023.6',
        imageOwnerId: '137112412989',
        subnetExists: true,
        subnetAz: 'eu-west-1a',
        subnetVpcId: 'vpc-0123456789abcdef0',
        vcpus: 2,
        totalVcpus: 6,
        memoryMiB: 1024,
        totalMemoryMiB: 3072,
      },
      notes: [
        'launches 3 × t3.micro (2 vCPUs, 1 GiB each; 6 vCPUs, 3 GiB in total) from ami-0abcdef1234567890 (al2023-ami-2023.6) in subnet-0123456789abcdef0 (eu-west-1a, vpc-0123456789abcdef0)',
        "no security groups given: EC2 attaches the default security group of the subnet's VPC",
        'tags instances and volumes with team=data',
      ],
      warnings: [],
      // The image and the subnet it saw: their ids never name anything else, so the launch is bound to them.
      preconditions: { image: { ownerId: '137112412989' }, subnet: { vpcId: 'vpc-0123456789abcdef0', availabilityZone: 'eu-west-1a' } },
    });
    expect(sent.map((command) => (command as { input: unknown }).input)).toEqual([
      { ImageIds: [good.imageId] },
      { SubnetIds: [good.subnetId] },
      { InstanceTypes: ['t3.micro'] },
    ]);
  });

  test('a single instance is described without totals', async () => {
    const { ec2 } = describing();
    const preview = await previewRunInstancesWith(ec2, { ...good, count: 1, securityGroupIds: ['sg-12345678'] });
    expect(preview.notes).toEqual([
      'launches 1 × t3.micro (2 vCPUs, 1 GiB) from ami-0abcdef1234567890 (al2023-ami-2023.6) in subnet-0123456789abcdef0 (eu-west-1a, vpc-0123456789abcdef0)',
      'security groups: sg-12345678',
    ]);
  });

  test('a missing image, subnet and instance type are facts and warnings, not failures', async () => {
    const { ec2 } = describing({
      image: ec2Error('InvalidAMIID.NotFound'),
      subnet: ec2Error('InvalidSubnetID.NotFound'),
      type: ec2Error('InvalidInstanceType'),
    });
    const preview = await previewRunInstancesWith(ec2, good);
    expect(preview.facts).toEqual({ instanceType: 't3.micro', count: 2, imageExists: false, subnetExists: false });
    expect(preview.warnings).toEqual([
      `image ${good.imageId} does not exist in this region or is not visible to this account: the launch would fail`,
      `subnet ${good.subnetId} does not exist in this region: the launch would fail`,
      'instance type t3.micro is not offered in this region: the launch would fail',
    ]);
    expect(preview.notes[0]).toBe(`launches 2 × t3.micro from ${good.imageId} in ${good.subnetId}`);
    expect(preview.preconditions).toEqual({ image: null, subnet: null });
  });

  test('an empty answer counts as missing too', async () => {
    const { ec2 } = describing({ image: null, subnet: null });
    const preview = await previewRunInstancesWith(ec2, good);
    expect(preview.facts).toMatchObject({ imageExists: false, subnetExists: false });
  });

  test('warns about large totals, a full subnet, an unavailable image and an architecture mismatch', async () => {
    const { ec2 } = describing({
      image: { ...IMAGE, State: 'deregistered', Architecture: 'arm64' },
      subnet: { ...SUBNET, AvailableIpAddressCount: 3 },
      type: {
        InstanceType: 'm5.4xlarge',
        VCpuInfo: { DefaultVCpus: 16 },
        MemoryInfo: { SizeInMiB: 65536 },
        ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
      },
    });
    const preview = await previewRunInstancesWith(ec2, { ...good, instanceType: 'm5.4xlarge', count: 4 });
    expect(preview.facts).toMatchObject({ vcpus: 16, totalVcpus: 64, memoryMiB: 65536, totalMemoryMiB: 262144 });
    expect(preview.warnings).toEqual([
      `image ${good.imageId} is deregistered, not available: the launch would fail`,
      `subnet ${good.subnetId} has 3 free IP addresses for 4 instances: the launch would fail`,
      'large launch: 64 vCPUs in total',
      'large launch: 256 GiB of memory in total',
      `image ${good.imageId} is arm64 but m5.4xlarge supports x86_64: the launch would fail`,
    ]);
  });

  test('other errors (access denied, throttling) fail the preview', async () => {
    const { ec2 } = describing({ subnet: ec2Error('UnauthorizedOperation') });
    await expect(previewRunInstancesWith(ec2, good)).rejects.toMatchObject({ name: 'UnauthorizedOperation' });
  });
});

describe('ec2.runInstances preconditions: the image and subnet the preview saw', () => {
  test('seen by the preview: the launch may run (their ids never name anything else, so nothing is read again)', () => {
    expect(() => assertSeenByPreview(good, { image: { ownerId: '137112412989' }, subnet: { vpcId: 'vpc-1' } })).not.toThrow();
    expect(() => assertSeenByPreview(good, { image: {}, subnet: {} })).not.toThrow();
  });

  test.each([
    [{ image: null, subnet: { vpcId: 'vpc-1' } }, `image ${good.imageId}`],
    [{ image: {}, subnet: null }, `subnet ${good.subnetId}`],
    [{ image: null, subnet: null }, `image ${good.imageId} or subnet ${good.subnetId}`],
  ])('not seen (%j): refused, since a launch would run something nobody reviewed', (preconditions, unseen) => {
    let thrown: unknown;
    try {
      assertSeenByPreview(good, preconditions);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(PreconditionFailedError);
    expect((thrown as Error).message).toBe(
      `the preview did not see ${unseen} (not in the region, or not visible to the account): ` +
        'if it became visible, the launch would run something nobody reviewed; nothing was launched. Request the launch again to preview it',
    );
  });
});
