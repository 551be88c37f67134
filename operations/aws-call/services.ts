import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/*
 * The services `aws.call` reaches: those whose SDK client Airlock ships. For each, what the
 * reference cannot say: the SDK package and client, the API operations whose IAM action has
 * another name, and where in a call's input each ARN placeholder's value is (the alias table).
 */

export const AWS_CALL_SERVICES = ['s3', 'dynamodb', 'lambda', 'sqs', 'sns', 'secretsmanager', 'ec2', 'iam'] as const;
export type AwsCallService = (typeof AWS_CALL_SERVICES)[number];

/**
 * Where an ARN placeholder's value comes from in a call's input:
 * - `field`: a string field, or a list of strings (`InstanceIds`: one ARN each);
 * - `arnField`: a field holding an ARN of this resource type, or a plain name (`TopicArn`,
 *   `FunctionName`, `SecretId`); an ARN must be in the call's partition, region and account;
 * - `queueUrl`: an SQS queue URL, whose last two path segments are the account and the name;
 * - `secretName`: a Secrets Manager secret name, to which AWS appends `-` and six random
 *   characters: the ARN ends `-??????`, a wildcard for exactly those six, written here, never from input.
 */
export type PlaceholderSource =
  { kind: 'field'; field: string } | { kind: 'arnField'; field: string } | { kind: 'queueUrl'; field: string } | { kind: 'secretName'; field: string };

export interface ServiceSpec {
  /** The IAM service prefix (`secretsmanager`). */
  iamPrefix: string;
  /** The npm package of its SDK client. */
  sdkPackage: string;
  /** The client class that package exports. */
  clientClass: string;
  /** API operations whose IAM action has another name (`HeadObject` is authorized as `s3:GetObject`). */
  iamActionAliases: Readonly<Record<string, string>>;
  /** API operations authorized as another action when the input has a field (`DeleteObject` with a `VersionId` is `s3:DeleteObjectVersion`). */
  iamActionWhenInput?: Readonly<Record<string, { field: string; iamAction: string }>>;
  /** Each ARN placeholder this service's resource types use, and where its value is, in order of preference. */
  placeholders: Readonly<Record<string, readonly PlaceholderSource[]>>;
  /** Placeholders whose value may hold `/` (object keys, IAM paths); any other value is one ARN segment. */
  multiSegment?: readonly string[];
  /**
   * Dependent actions AWS requires when the input has a field, which the reference data in use does
   * not list (its dependent-action lists are empty): `iam:PassRole` on the role a Lambda function is given.
   */
  inputDependentActions?: Readonly<Record<string, readonly { field: string; iamAction: string }[]>>;
}

const field = (name: string): PlaceholderSource => ({ kind: 'field', field: name });

export const SERVICE_SPECS: Readonly<Record<AwsCallService, ServiceSpec>> = {
  s3: {
    iamPrefix: 's3',
    sdkPackage: '@aws-sdk/client-s3',
    clientClass: 'S3Client',
    iamActionAliases: {
      HeadObject: 'GetObject',
      HeadBucket: 'ListBucket',
      ListObjects: 'ListBucket',
      ListObjectsV2: 'ListBucket',
      ListObjectVersions: 'ListBucketVersions',
      DeleteObjects: 'DeleteObject',
      GetObjectAttributes: 'GetObjectAttributes',
    },
    iamActionWhenInput: {
      DeleteObject: { field: 'VersionId', iamAction: 'DeleteObjectVersion' },
      GetObject: { field: 'VersionId', iamAction: 'GetObjectVersion' },
      HeadObject: { field: 'VersionId', iamAction: 'GetObjectVersion' },
      PutObjectTagging: { field: 'VersionId', iamAction: 'PutObjectVersionTagging' },
      GetObjectTagging: { field: 'VersionId', iamAction: 'GetObjectVersionTagging' },
      DeleteObjectTagging: { field: 'VersionId', iamAction: 'DeleteObjectVersionTagging' },
    },
    // S3Bucket and S3Key: where Lambda reads a function's code from, for its dependent s3:GetObject.
    placeholders: { BucketName: [field('Bucket'), field('S3Bucket')], ObjectName: [field('Key'), field('S3Key')] },
    multiSegment: ['ObjectName'],
  },
  dynamodb: {
    iamPrefix: 'dynamodb',
    sdkPackage: '@aws-sdk/client-dynamodb',
    clientClass: 'DynamoDBClient',
    iamActionAliases: {},
    placeholders: { TableName: [field('TableName')], IndexName: [field('IndexName')] },
  },
  lambda: {
    iamPrefix: 'lambda',
    sdkPackage: '@aws-sdk/client-lambda',
    clientClass: 'LambdaClient',
    iamActionAliases: { Invoke: 'InvokeFunction', InvokeWithResponseStream: 'InvokeFunction' },
    placeholders: { FunctionName: [{ kind: 'arnField', field: 'FunctionName' }] },
    inputDependentActions: {
      CreateFunction: [{ field: 'Role', iamAction: 'iam:PassRole' }],
      UpdateFunctionConfiguration: [{ field: 'Role', iamAction: 'iam:PassRole' }],
      // Lambda reads the package from S3 with the caller's permissions.
      UpdateFunctionCode: [{ field: 'S3Bucket', iamAction: 's3:GetObject' }],
    },
  },
  sqs: {
    iamPrefix: 'sqs',
    sdkPackage: '@aws-sdk/client-sqs',
    clientClass: 'SQSClient',
    iamActionAliases: {
      SendMessageBatch: 'SendMessage',
      DeleteMessageBatch: 'DeleteMessage',
      ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
    },
    placeholders: { QueueName: [{ kind: 'queueUrl', field: 'QueueUrl' }, field('QueueName')] },
  },
  sns: {
    iamPrefix: 'sns',
    sdkPackage: '@aws-sdk/client-sns',
    clientClass: 'SNSClient',
    iamActionAliases: {},
    placeholders: { TopicName: [{ kind: 'arnField', field: 'TopicArn' }, field('Name')] },
  },
  secretsmanager: {
    iamPrefix: 'secretsmanager',
    sdkPackage: '@aws-sdk/client-secrets-manager',
    clientClass: 'SecretsManagerClient',
    iamActionAliases: {},
    placeholders: {
      SecretId: [
        { kind: 'secretName', field: 'SecretId' },
        { kind: 'secretName', field: 'Name' },
      ],
    },
  },
  ec2: {
    iamPrefix: 'ec2',
    sdkPackage: '@aws-sdk/client-ec2',
    clientClass: 'EC2Client',
    iamActionAliases: {},
    placeholders: {
      InstanceId: [field('InstanceIds'), field('InstanceId')],
      VolumeId: [field('VolumeId')],
      SnapshotId: [field('SnapshotId')],
      ImageId: [field('ImageId')],
      SecurityGroupId: [field('GroupId')],
      SubnetId: [field('SubnetId')],
      VpcId: [field('VpcId')],
    },
  },
  iam: {
    iamPrefix: 'iam',
    sdkPackage: '@aws-sdk/client-iam',
    clientClass: 'IAMClient',
    iamActionAliases: {},
    // Names without a path: a role, user or group whose path is not `/` has another ARN, which
    // this one does not match, so AWS refuses the call (fail closed) rather than anything widening.
    placeholders: {
      RoleNameWithPath: [field('RoleName'), { kind: 'arnField', field: 'Role' }],
      UserNameWithPath: [field('UserName')],
      GroupNameWithPath: [field('GroupName')],
      InstanceProfileNameWithPath: [field('InstanceProfileName')],
      PolicyNameWithPath: [{ kind: 'arnField', field: 'PolicyArn' }],
    },
    multiSegment: ['PolicyNameWithPath', 'RoleNameWithPath'],
  },
};

/** PascalCase API operation names as the SDKs spell them (`DeleteItem`, `ListObjectsV2`). */
export const API_OPERATION_PATTERN = /^[A-Z][A-Za-z0-9]{1,127}$/;

/**
 * Whether the service's SDK client has this API operation, by its command's module file, so
 * checking a request does not load the client (EC2's alone is ~60 MB of RSS).
 */
export function sdkHasOperation(service: AwsCallService, operation: string): boolean {
  if (!API_OPERATION_PATTERN.test(operation)) return false;
  const packageDir = sdkPackageDir(SERVICE_SPECS[service].sdkPackage);
  return existsSync(join(packageDir, 'dist-es', 'commands', `${operation}Command.js`));
}

const packageDirs = new Map<string, string>();

function sdkPackageDir(sdkPackage: string): string {
  let dir = packageDirs.get(sdkPackage);
  if (dir === undefined) {
    // The package's main file is dist-cjs/index.js.
    dir = join(dirname(require.resolve(sdkPackage)), '..');
    packageDirs.set(sdkPackage, dir);
  }
  return dir;
}

/**
 * The IAM action an API operation is authorized as: `dynamodb:DeleteItem`, `s3:GetObject` for
 * HeadObject, `s3:DeleteObjectVersion` for a DeleteObject that names a version.
 */
export function iamActionFor(service: AwsCallService, operation: string, input: Record<string, unknown> = {}): string {
  const spec = SERVICE_SPECS[service];
  const byInput = spec.iamActionWhenInput?.[operation];
  if (byInput && input[byInput.field] !== undefined) return `${spec.iamPrefix}:${byInput.iamAction}`;
  return `${spec.iamPrefix}:${spec.iamActionAliases[operation] ?? operation}`;
}
