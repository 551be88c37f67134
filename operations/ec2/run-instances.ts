import { defineOperation } from '../sdk';
import { createHash } from 'node:crypto';
import type { _InstanceType, EC2Client, Image, InstanceTypeInfo, Subnet, TagSpecification } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { assertPartition, LONGEST_PARTITION } from '../arn';
import { PreconditionFailedError } from '../preconditions';
import { fitsSessionPolicyLimit } from '../session-time';
import { MAX_SESSION_POLICY_CHARS } from '../types';
import type { ExecutionContext, IamPolicyDocument, IamStatement, OperationContext, OperationOutcome, OperationPreview } from '../types';
import { withClient } from '../with-client';
import { loadEc2Sdk } from './sdk';

/** Most instances one request may launch; larger fleets are several reviewed requests. */
export const MAX_INSTANCE_COUNT = 20;
/** Most tags one request may put on its instances and volumes. */
export const MAX_TAGS = 20;
/** Totals from which the preview asks reviewers to look twice. */
export const LARGE_TOTAL_VCPUS = 64;
export const LARGE_TOTAL_MEMORY_MIB = 256 * 1024;

/** An EC2 resource id: `<prefix>-` and 8 (older) or 17 hex digits, nothing that could widen an ARN. */
function ec2Id(prefix: string, what: string) {
  return z.string().regex(new RegExp(`^${prefix}-(?:[0-9a-f]{8}|[0-9a-f]{17})$`), `${what} must be "${prefix}-" followed by 8 or 17 lowercase hex digits`);
}

export const accountId = z.string().regex(/^\d{12}$/, 'account id must be exactly 12 digits');

/** A region name as it appears in ARNs: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`. */
export const regionName = z.string().regex(/^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/, 'region must be an AWS region name such as us-east-1');

/** `t3.micro`, `m7g.2xlarge`, `u-6tb1.metal`, `c7i.metal-24xl`: family, a dot, a size. */
export const instanceTypeName = z
  .string()
  .max(32, 'instance type must be at most 32 characters')
  .regex(/^[a-z][a-z0-9-]*[a-z0-9]\.[a-z0-9]+(?:-[a-z0-9]+)*$/, 'instance type must look like t3.micro (family, a dot, a size; lowercase)');

/**
 * Tag characters that every AWS service accepts: letters, digits, spaces and `_ . : / = + - @`.
 * This also keeps `*`, `?` and `${` out of the IAM conditions the tags are written into.
 */
const TAG_CHARACTERS = /^[\p{L}\p{Zs}\p{N}_.:/=+\-@]*$/u;

const tagKey = z
  .string()
  .min(1, 'tag key must not be empty')
  .max(128, 'tag key must be at most 128 characters')
  .regex(TAG_CHARACTERS, 'tag key may contain only letters, digits, spaces and _ . : / = + - @')
  .refine((key) => !key.toLowerCase().startsWith('aws:'), 'tag key must not start with "aws:" (reserved by AWS)');

const tagValue = z
  .string()
  .max(256, 'tag value must be at most 256 characters')
  .regex(TAG_CHARACTERS, 'tag value may contain only letters, digits, spaces and _ . : / = + - @');

/**
 * Tags as `{ key: value }`, so policy rules can match `params.tags.<key>`. Keys that differ only
 * in case are refused: EC2 keeps them apart, but IAM condition keys (`aws:RequestTag/<key>`)
 * are case-insensitive, so the session policy could not tell them apart.
 */
const tags = z
  .unknown()
  // zod drops an own `__proto__` key from a record without a word: refuse it rather than lose a tag.
  .refine((value) => !(value !== null && typeof value === 'object' && Object.hasOwn(value, '__proto__')), 'tag key must not be "__proto__"')
  .pipe(z.record(z.string(), tagValue))
  // Keys are checked here rather than by the record's key schema, whose refusal reads only "Invalid key in record".
  .superRefine((record, ctx) => {
    for (const key of Object.keys(record)) {
      for (const issue of tagKey.safeParse(key).error?.issues ?? []) ctx.addIssue({ code: 'custom', message: issue.message, path: [key] });
    }
  })
  .refine((record) => Object.keys(record).length >= 1, 'tags must not be empty (leave the field out instead)')
  .refine((record) => Object.keys(record).length <= MAX_TAGS, `at most ${MAX_TAGS} tags`)
  .refine(
    (record) => new Set(Object.keys(record).map((key) => key.toLowerCase())).size === Object.keys(record).length,
    'tag keys must differ in more than letter case',
  )
  // The checks above in JSON Schema, for the API's OpenAPI document and `GET /v1/catalogue`: the
  // `unknown` they start from (to see an own `__proto__` key) would otherwise be described as any
  // value, `null` and `{}` included. Only the letter-case rule has no JSON Schema form.
  .meta({
    type: 'object',
    minProperties: 1,
    maxProperties: MAX_TAGS,
    propertyNames: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: TAG_CHARACTERS.source,
      not: { anyOf: [{ pattern: '^[aA][wW][sS]:' }, { const: '__proto__' }] },
    },
    additionalProperties: { type: 'string', maxLength: 256, pattern: TAG_CHARACTERS.source },
  });

const runInstancesFields = z.strictObject({
  accountId,
  /** Where to launch; the worker's region when left out (see the session policy for what that costs). */
  region: regionName.optional(),
  imageId: ec2Id('ami', 'image id'),
  instanceType: instanceTypeName,
  subnetId: ec2Id('subnet', 'subnet id'),
  count: z
    .number()
    .int('count must be a whole number')
    .min(1, 'count must be at least 1')
    .max(MAX_INSTANCE_COUNT, `count must be at most ${MAX_INSTANCE_COUNT}`),
  securityGroupIds: z
    .array(ec2Id('sg', 'security group id'))
    .min(1, 'securityGroupIds must not be empty (leave the field out to use the VPC default security group)')
    .max(16, 'at most 16 security groups')
    .refine((ids) => new Set(ids).size === ids.length, 'security group ids must not repeat')
    .optional(),
  tags: tags.optional(),
});

export type RunInstancesParams = z.infer<typeof runInstancesFields>;

/** Params of `ec2.runInstances`: exactly these fields, each checked, and a session policy that fits STS. */
export const runInstancesParams = runInstancesFields.refine((p) => fitsSessionPolicyLimit(runInstancesSessionPolicy(p, LONGEST_PARTITION)), {
  error: `the tags are too long together: the session policy would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit`,
  path: ['tags'],
});

/**
 * What `ec2.runInstances` binds its execution to: the image and the subnet as the preview saw
 * them, or null when it did not see one. AMI and subnet ids are never reused, an AMI's contents
 * and owner never change, and a subnet stays in its VPC and zone: once seen, the launch can only
 * use what was reviewed, so nothing is read again. What can change is whether they are visible
 * to the account (an image shared or made public after the preview): a launch whose image or
 * subnet the preview did not see would run something nobody reviewed, so it is refused.
 */
export const runInstancesPreconditions = z.strictObject({
  image: z.strictObject({ ownerId: z.string().optional() }).nullable(),
  subnet: z.strictObject({ vpcId: z.string().optional(), availabilityZone: z.string().optional() }).nullable(),
});

export type RunInstancesPreconditions = z.infer<typeof runInstancesPreconditions>;

/** ARN builders for one account and region (`*` when the params name no region). */
function ec2Arns(partition: string, region: string, account: string) {
  const prefix = `arn:${assertPartition(partition)}:ec2:${region}`;
  return {
    /** Images have no account in their ARN: public and shared AMIs belong to other accounts. */
    image: (id: string) => `${prefix}::image/${id}`,
    resource: (type: string, id: string) => `${prefix}:${account}:${type}/${id}`,
  };
}

/**
 * RunInstances authorizes every resource of the request, and all of them must be allowed. The
 * statements name the image, the subnet and the security groups exactly. A `*` stands only where
 * the id cannot be known before the call, each bounded as follows:
 *
 * - `instance/*`: the instances are created by this call. Bounded by the account and region, and
 *   by `ec2:InstanceType` = the requested type.
 * - `network-interface/*`, `volume/*`: the primary network interface and the root volume of each
 *   instance are created by this call too; EC2 requires permission on them. Bounded by the account
 *   and region, and usable only in a RunInstances request that also uses exactly this image,
 *   subnet and instance type, since every resource of the request must be allowed.
 * - `security-group/*`, only without `securityGroupIds`: EC2 then attaches the default security
 *   group of the subnet's VPC, whose id the params do not name. Same bounds as above.
 * - The region segment, only without `region`: the ARNs then hold `*` for the region; the subnet
 *   and the image exist in one region, which pins the launch there.
 * - `ec2:CreateTags` on `instance/*` and `volume/*`, only with `tags`: tagging at launch is
 *   authorized as CreateTags on the new resources. Bounded by `ec2:CreateAction` = RunInstances
 *   (it cannot tag anything that exists), `aws:RequestTag/<key>` = each requested value and
 *   `aws:TagKeys` ⊆ the requested keys (it cannot add other tags, which could grant access where
 *   tags drive permissions).
 */
export function runInstancesSessionPolicy(params: RunInstancesParams, partition: string): IamPolicyDocument {
  const arns = ec2Arns(partition, params.region ?? '*', params.accountId);
  const securityGroups = params.securityGroupIds?.map((id) => arns.resource('security-group', id)) ?? [arns.resource('security-group', '*')];
  const statements: IamStatement[] = [
    {
      Effect: 'Allow',
      Action: ['ec2:RunInstances'],
      Resource: [arns.resource('instance', '*')],
      Condition: { StringEquals: { 'ec2:InstanceType': params.instanceType } },
    },
    {
      Effect: 'Allow',
      Action: ['ec2:RunInstances'],
      Resource: [
        arns.image(params.imageId),
        arns.resource('subnet', params.subnetId),
        ...securityGroups,
        arns.resource('network-interface', '*'),
        arns.resource('volume', '*'),
      ],
    },
  ];
  if (params.tags) {
    const requestTags = Object.fromEntries(Object.entries(params.tags).map(([key, value]) => [`aws:RequestTag/${key}`, value]));
    statements.push({
      Effect: 'Allow',
      Action: ['ec2:CreateTags'],
      Resource: [arns.resource('instance', '*'), arns.resource('volume', '*')],
      Condition: {
        StringEquals: { 'ec2:CreateAction': 'RunInstances', ...requestTags },
        'ForAllValues:StringEquals': { 'aws:TagKeys': Object.keys(params.tags) },
      },
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}

/**
 * Read-only: DescribeImages, DescribeSubnets and DescribeInstanceTypes. These Describe actions do
 * not support resource-level permissions, so IAM requires `Resource: "*"` for them; with `region`
 * the statement is bounded to that region by `aws:RequestedRegion`.
 */
export function runInstancesPreviewPolicy(params: RunInstancesParams, partition: string): IamPolicyDocument {
  assertPartition(partition); // no ARN below, but a bad setting must fail here as it does for every policy
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['ec2:DescribeImages', 'ec2:DescribeInstanceTypes', 'ec2:DescribeSubnets'],
        Resource: ['*'],
        ...(params.region ? { Condition: { StringEquals: { 'aws:RequestedRegion': params.region } } } : {}),
      },
    ],
  };
}

/**
 * The RunInstances idempotency token for one action: the SHA-256 of the action id, 64 hex
 * characters (EC2's maximum). A retried activity sends the same token, so EC2 returns the first
 * launch's reservation instead of launching again.
 */
export function runInstancesClientToken(actionId: string): string {
  return createHash('sha256').update(`airlock/ec2.runInstances/${actionId}`).digest('hex');
}

function summarize(params: RunInstancesParams): string {
  const noun = params.count === 1 ? 'instance' : 'instances';
  const where = params.region ? ` (${params.region})` : '';
  return `launch ${params.count} ${params.instanceType} ${noun} from ${params.imageId} in ${params.subnetId}${where}, account ${params.accountId}`;
}

/** An EC2 client on the one-shot credentials, in the params' region or the worker's. */
async function ec2Client(params: RunInstancesParams, context: OperationContext): Promise<EC2Client> {
  const { EC2Client } = await loadEc2Sdk();
  return new EC2Client({
    region: params.region ?? context.region,
    credentials: context.credentials,
    maxAttempts: 1, // Temporal owns retries
    ...(context.endpoint ? { endpoint: context.endpoint } : {}),
  });
}

function tagSpecifications(params: RunInstancesParams): TagSpecification[] | undefined {
  if (!params.tags) return undefined;
  const list = Object.entries(params.tags).map(([Key, Value]) => ({ Key, Value }));
  return [
    { ResourceType: 'instance', Tags: list },
    { ResourceType: 'volume', Tags: list },
  ];
}

/** The part of EC2Client the operation uses; tests stand in for EC2 with it. */
export type Ec2Sender = Pick<EC2Client, 'send'>;

/** Launches exactly `count` instances (all or none), idempotently per action id. */
export async function runInstancesWith(ec2: Ec2Sender, params: RunInstancesParams, actionId: string): Promise<OperationOutcome> {
  const { RunInstancesCommand } = await loadEc2Sdk();
  const response = await ec2.send(
    new RunInstancesCommand({
      ImageId: params.imageId,
      InstanceType: params.instanceType as _InstanceType, // validated by pattern; EC2 refuses unknown types
      SubnetId: params.subnetId,
      MinCount: params.count,
      MaxCount: params.count,
      ClientToken: runInstancesClientToken(actionId),
      ...(params.securityGroupIds ? { SecurityGroupIds: params.securityGroupIds } : {}),
      ...(params.tags ? { TagSpecifications: tagSpecifications(params) } : {}),
    }),
  );
  const instanceIds = (response.Instances ?? []).map((instance) => instance.InstanceId).filter((id): id is string => typeof id === 'string');
  return {
    summary: summarize(params),
    outputs: {
      instanceIds: instanceIds.join(','),
      count: instanceIds.length,
      ...(response.ReservationId ? { reservationId: response.ReservationId } : {}),
    },
  };
}

/** Refuses a launch of an image or into a subnet the preview did not see (see runInstancesPreconditions). */
export function assertSeenByPreview(params: RunInstancesParams, reviewed: RunInstancesPreconditions): void {
  const unseen = [...(reviewed.image === null ? [`image ${params.imageId}`] : []), ...(reviewed.subnet === null ? [`subnet ${params.subnetId}`] : [])];
  if (unseen.length === 0) return;
  throw new PreconditionFailedError(
    `the preview did not see ${unseen.join(' or ')} (not in the region, or not visible to the account): ` +
      'if it became visible, the launch would run something nobody reviewed; nothing was launched. Request the launch again to preview it',
  );
}

async function execute(params: RunInstancesParams, context: ExecutionContext<RunInstancesPreconditions>): Promise<OperationOutcome> {
  assertSeenByPreview(params, context.preconditions);
  return withClient(await ec2Client(params, context), (ec2) => runInstancesWith(ec2, params, context.actionId));
}

/** Runs a Describe call; an error named in `missing` means "no such resource" and yields undefined. */
async function describeOrMissing<T>(call: () => Promise<T | undefined>, missing: readonly string[]): Promise<T | undefined> {
  try {
    return await call();
  } catch (err) {
    if (missing.includes((err as { name?: string } | null)?.name ?? '')) return undefined;
    throw err;
  }
}

function gib(mib: number): string {
  const value = mib / 1024;
  return `${Number.isInteger(value) ? value : value.toFixed(1)} GiB`;
}

/**
 * What a launch would do, read with DescribeImages, DescribeSubnets and DescribeInstanceTypes.
 * Facts: `imageExists`, `imageName`, `imageOwnerId`, `subnetExists`, `subnetAz`, `subnetVpcId`,
 * `instanceType`, `count`, `vcpus`, `memoryMiB`, `totalVcpus`, `totalMemoryMiB` (each optional
 * fact only when EC2 told it).
 */
export async function previewRunInstancesWith(ec2: Ec2Sender, params: RunInstancesParams): Promise<OperationPreview> {
  const { DescribeImagesCommand, DescribeInstanceTypesCommand, DescribeSubnetsCommand } = await loadEc2Sdk();
  const [image, subnet, type] = await Promise.all([
    describeOrMissing<Image>(
      async () => (await ec2.send(new DescribeImagesCommand({ ImageIds: [params.imageId] }))).Images?.[0],
      ['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable', 'InvalidAMIID.Malformed'],
    ),
    describeOrMissing<Subnet>(
      async () => (await ec2.send(new DescribeSubnetsCommand({ SubnetIds: [params.subnetId] }))).Subnets?.[0],
      ['InvalidSubnetID.NotFound', 'InvalidSubnetID.Malformed'],
    ),
    describeOrMissing<InstanceTypeInfo>(
      async () => (await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [params.instanceType as _InstanceType] }))).InstanceTypes?.[0],
      ['InvalidInstanceType', 'InvalidInstanceType.NotFound'],
    ),
  ]);

  const facts: OperationPreview['facts'] = { instanceType: params.instanceType, count: params.count, imageExists: image !== undefined };
  const notes: string[] = [];
  const warnings: string[] = [];

  if (image) {
    if (image.Name !== undefined) facts.imageName = image.Name;
    if (image.OwnerId !== undefined) facts.imageOwnerId = image.OwnerId;
    if (image.State !== undefined && image.State !== 'available')
      warnings.push(`image ${params.imageId} is ${image.State}, not available: the launch would fail`);
  } else {
    warnings.push(`image ${params.imageId} does not exist in this region or is not visible to this account: the launch would fail`);
  }

  facts.subnetExists = subnet !== undefined;
  if (subnet) {
    if (subnet.AvailabilityZone !== undefined) facts.subnetAz = subnet.AvailabilityZone;
    if (subnet.VpcId !== undefined) facts.subnetVpcId = subnet.VpcId;
    if (subnet.AvailableIpAddressCount !== undefined && subnet.AvailableIpAddressCount < params.count) {
      warnings.push(`subnet ${params.subnetId} has ${subnet.AvailableIpAddressCount} free IP addresses for ${params.count} instances: the launch would fail`);
    }
  } else {
    warnings.push(`subnet ${params.subnetId} does not exist in this region: the launch would fail`);
  }

  const vcpus = type?.VCpuInfo?.DefaultVCpus;
  const memoryMiB = type?.MemoryInfo?.SizeInMiB;
  if (vcpus !== undefined) {
    facts.vcpus = vcpus;
    facts.totalVcpus = vcpus * params.count;
  }
  if (memoryMiB !== undefined) {
    facts.memoryMiB = memoryMiB;
    facts.totalMemoryMiB = memoryMiB * params.count;
  }
  if (!type) warnings.push(`instance type ${params.instanceType} is not offered in this region: the launch would fail`);
  if (vcpus !== undefined && vcpus * params.count >= LARGE_TOTAL_VCPUS) warnings.push(`large launch: ${vcpus * params.count} vCPUs in total`);
  if (memoryMiB !== undefined && memoryMiB * params.count >= LARGE_TOTAL_MEMORY_MIB)
    warnings.push(`large launch: ${gib(memoryMiB * params.count)} of memory in total`);
  const architectures = type?.ProcessorInfo?.SupportedArchitectures;
  if (image?.Architecture && architectures && !architectures.includes(image.Architecture as (typeof architectures)[number])) {
    warnings.push(`image ${params.imageId} is ${image.Architecture} but ${params.instanceType} supports ${architectures.join(', ')}: the launch would fail`);
  }

  const each = [vcpus !== undefined ? `${vcpus} vCPU${vcpus === 1 ? '' : 's'}` : undefined, memoryMiB !== undefined ? gib(memoryMiB) : undefined]
    .filter(Boolean)
    .join(', ');
  const total =
    params.count > 1 && vcpus !== undefined && memoryMiB !== undefined ? `; ${vcpus * params.count} vCPUs, ${gib(memoryMiB * params.count)} in total` : '';
  const sizing = each ? ` (${each}${params.count > 1 ? ' each' : ''}${total})` : '';
  const imageLabel = image?.Name ? `${params.imageId} (${image.Name})` : params.imageId;
  const subnetLabel = subnet?.AvailabilityZone ? `${params.subnetId} (${[subnet.AvailabilityZone, subnet.VpcId].filter(Boolean).join(', ')})` : params.subnetId;
  notes.push(`launches ${params.count} × ${params.instanceType}${sizing} from ${imageLabel} in ${subnetLabel}`);
  notes.push(
    params.securityGroupIds
      ? `security groups: ${params.securityGroupIds.join(', ')}`
      : "no security groups given: EC2 attaches the default security group of the subnet's VPC",
  );
  if (params.tags)
    notes.push(
      `tags instances and volumes with ${Object.entries(params.tags)
        .map(([key, value]) => `${key}=${value}`)
        .join(', ')}`,
    );
  const preconditions = {
    image: image ? { ...(image.OwnerId !== undefined ? { ownerId: image.OwnerId } : {}) } : null,
    subnet: subnet
      ? {
          ...(subnet.VpcId !== undefined ? { vpcId: subnet.VpcId } : {}),
          ...(subnet.AvailabilityZone !== undefined ? { availabilityZone: subnet.AvailabilityZone } : {}),
        }
      : null,
  } satisfies RunInstancesPreconditions;
  return { facts, notes, warnings, preconditions };
}

async function preview(params: RunInstancesParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(await ec2Client(params, context), (ec2) => previewRunInstancesWith(ec2, params));
}

/**
 * `ec2.runInstances`: launch `count` instances of one type from one image into one subnet.
 * Idempotent per action: the ClientToken makes a retried launch return the first one's instances.
 */
export const ec2RunInstances = defineOperation<RunInstancesParams, RunInstancesPreconditions>({
  name: 'ec2.runInstances',
  title: 'Launch EC2 instances',
  description:
    'Launches a fixed number of EC2 instances (all or none) of one instance type from one AMI into one subnet, optionally with ' +
    'security groups and tags. The session may launch only that type from that image into that subnet; a retry reuses the same ClientToken. ' +
    'An image or subnet the preview did not see is refused.',
  params: runInstancesParams,
  idempotent: true,
  // One RunInstances; EC2 answers once the instances are pending.
  runningTimeSeconds: 30,
  summarize,
  sessionPolicy: runInstancesSessionPolicy,
  execute,
  previewPolicy: runInstancesPreviewPolicy,
  preview,
  preconditions: runInstancesPreconditions,
  examples: [
    {
      accountId: '123456789012',
      region: 'eu-west-1',
      imageId: 'ami-0abcdef1234567890',
      instanceType: 't3.micro',
      subnetId: 'subnet-0123456789abcdef0',
      count: 2,
    },
    // No region (any the worker's credentials reach), with security groups and tags.
    {
      accountId: '123456789012',
      imageId: 'ami-0abcdef1234567890',
      instanceType: 't3.micro',
      subnetId: 'subnet-0123456789abcdef0',
      count: 1,
      securityGroupIds: ['sg-0123456789abcdef0'],
      tags: { team: 'data' },
    },
  ],
});
