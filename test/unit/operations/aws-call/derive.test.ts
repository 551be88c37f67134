import { AwsCallDerivationError, derivePermissions, type AwsCallTarget } from '../../../../operations/aws-call/derive';
import { awsCall } from '../../../../operations/aws-call/operation';
import { iamActionFor } from '../../../../operations/aws-call/services';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';

function derive(target: Omit<AwsCallTarget, 'accountId' | 'region'> & Partial<AwsCallTarget>, partition = 'aws') {
  return derivePermissions({ accountId: ACCOUNT, region: REGION, ...target }, { partition });
}

function refusal(target: Omit<AwsCallTarget, 'accountId' | 'region'> & Partial<AwsCallTarget>): string {
  try {
    derive(target);
  } catch (err) {
    expect(err).toBeInstanceOf(AwsCallDerivationError);
    return (err as Error).message;
  }
  throw new Error('expected a refusal');
}

describe('derivePermissions: one statement per action, from the service authorization reference', () => {
  it('DynamoDB DeleteItem: the table, and the item key values as dynamodb:LeadingKeys', () => {
    const derived = derive({ service: 'dynamodb', operation: 'DeleteItem', input: { TableName: 'orders', Key: { pk: { S: 'order-1' }, sk: { N: '7' } } } });
    expect(derived.accessLevel).toBe('Write');
    expect(derived.statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:DeleteItem'],
        Resource: [`arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders`],
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['order-1', '7'] } },
      },
    ]);
  });

  it('DynamoDB Query on an index: the table and the index', () => {
    const derived = derive({ service: 'dynamodb', operation: 'Query', input: { TableName: 'orders', IndexName: 'by-customer' } });
    expect(derived.accessLevel).toBe('Read');
    expect(derived.statements[0]?.Resource).toEqual([
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders/index/by-customer`,
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/orders`,
    ]);
  });

  it('S3: Bucket and Key fill BucketName and ObjectName (the alias table); HeadObject is authorized as s3:GetObject', () => {
    expect(derive({ service: 's3', operation: 'DeleteObject', input: { Bucket: 'reports', Key: 'daily/a b.csv' } }).statements).toEqual([
      { Effect: 'Allow', Action: ['s3:DeleteObject'], Resource: ['arn:aws:s3:::reports/daily/a b.csv'] },
    ]);
    expect(iamActionFor('s3', 'HeadObject')).toBe('s3:GetObject');
    expect(derive({ service: 's3', operation: 'HeadObject', input: { Bucket: 'reports', Key: 'k' } }).statements[0]?.Action).toEqual(['s3:GetObject']);
  });

  it('S3 calls that name a version are authorized as the version actions', () => {
    expect(derive({ service: 's3', operation: 'DeleteObject', input: { Bucket: 'reports', Key: 'k', VersionId: 'v1' } }).statements[0]?.Action).toEqual([
      's3:DeleteObjectVersion',
    ]);
    expect(derive({ service: 's3', operation: 'HeadObject', input: { Bucket: 'reports', Key: 'k', VersionId: 'v1' } }).statements[0]?.Action).toEqual([
      's3:GetObjectVersion',
    ]);
  });

  it('S3 PutBucketPolicy is Permissions management, on the bucket', () => {
    const derived = derive({ service: 's3', operation: 'PutBucketPolicy', input: { Bucket: 'reports', Policy: '{}' } });
    expect(derived.accessLevel).toBe('Permissions management');
    expect(derived.statements).toEqual([{ Effect: 'Allow', Action: ['s3:PutBucketPolicy'], Resource: ['arn:aws:s3:::reports'] }]);
  });

  it('S3 ListObjectsV2 pins s3:prefix to the input prefix', () => {
    expect(derive({ service: 's3', operation: 'ListObjectsV2', input: { Bucket: 'reports', Prefix: 'daily/' } }).statements).toEqual([
      { Effect: 'Allow', Action: ['s3:ListBucket'], Resource: ['arn:aws:s3:::reports'], Condition: { StringEquals: { 's3:prefix': 'daily/' } } },
    ]);
  });

  it("SQS: the queue name and account come from QueueUrl; the account must be the call's", () => {
    const url = `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/jobs`;
    expect(derive({ service: 'sqs', operation: 'PurgeQueue', input: { QueueUrl: url } }).statements).toEqual([
      { Effect: 'Allow', Action: ['sqs:PurgeQueue'], Resource: [`arn:aws:sqs:${REGION}:${ACCOUNT}:jobs`] },
    ]);
    expect(derive({ service: 'sqs', operation: 'SendMessageBatch', input: { QueueUrl: url, Entries: [] } }).statements[0]?.Action).toEqual(['sqs:SendMessage']);
    expect(refusal({ service: 'sqs', operation: 'PurgeQueue', input: { QueueUrl: `https://sqs.${REGION}.amazonaws.com/999999999999/jobs` } })).toMatch(
      /account 999999999999, not of params.accountId 123456789012/,
    );
  });

  it("SNS: TopicArn must be in the call's partition, region and account", () => {
    const arn = `arn:aws:sns:${REGION}:${ACCOUNT}:alerts`;
    expect(derive({ service: 'sns', operation: 'Publish', input: { TopicArn: arn, Message: 'hi' } }).statements).toEqual([
      { Effect: 'Allow', Action: ['sns:Publish'], Resource: [arn] },
    ]);
    expect(refusal({ service: 'sns', operation: 'Publish', input: { TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:alerts` } })).toMatch(
      /region us-east-1, not params.region/,
    );
    expect(refusal({ service: 'sns', operation: 'Publish', input: { TopicArn: `arn:aws:sns:${REGION}:210987654321:alerts` } })).toMatch(/account 210987654321/);
    expect(() => derive({ service: 'sns', operation: 'Publish', input: { TopicArn: `arn:aws-cn:sns:${REGION}:${ACCOUNT}:alerts` } })).toThrow(
      /partition aws-cn/,
    );
  });

  it('Secrets Manager: a secret name gets the six-character suffix AWS adds, as exactly six ?', () => {
    expect(derive({ service: 'secretsmanager', operation: 'PutSecretValue', input: { SecretId: 'prod/db', SecretString: 'x' } }).statements).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:PutSecretValue'], Resource: [`arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-??????`] },
    ]);
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:prod/db-AbCdEf`;
    expect(derive({ service: 'secretsmanager', operation: 'DescribeSecret', input: { SecretId: arn } }).statements[0]?.Resource).toEqual([arn]);
  });

  it('Lambda: a function name or its ARN; a qualified ARN is refused', () => {
    const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:resize`;
    expect(derive({ service: 'lambda', operation: 'Invoke', input: { FunctionName: 'resize' } }).statements).toEqual([
      { Effect: 'Allow', Action: ['lambda:InvokeFunction'], Resource: [arn] },
    ]);
    expect(derive({ service: 'lambda', operation: 'Invoke', input: { FunctionName: arn } }).statements[0]?.Resource).toEqual([arn]);
    expect(refusal({ service: 'lambda', operation: 'Invoke', input: { FunctionName: `${arn}:live` } })).toMatch(/plain name/);
  });

  it('Lambda CreateFunction with a Role includes the dependent iam:PassRole on exactly that role', () => {
    const role = `arn:aws:iam::${ACCOUNT}:role/service-role/resize-exec`;
    const derived = derive({ service: 'lambda', operation: 'CreateFunction', input: { FunctionName: 'resize', Role: role } });
    expect(derived.statements).toEqual([
      { Effect: 'Allow', Action: ['lambda:CreateFunction'], Resource: [`arn:aws:lambda:${REGION}:${ACCOUNT}:function:resize`] },
      { Effect: 'Allow', Action: ['iam:PassRole'], Resource: [role] },
    ]);
    expect(refusal({ service: 'lambda', operation: 'CreateFunction', input: { FunctionName: 'resize', Role: `arn:aws:iam::999999999999:role/x` } })).toMatch(
      /dependent action iam:PassRole: .*account 999999999999/,
    );
  });

  it('EC2: one instance ARN per id; DescribeInstances applies to * only', () => {
    expect(derive({ service: 'ec2', operation: 'TerminateInstances', input: { InstanceIds: ['i-0a', 'i-0b'] } }).statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['ec2:TerminateInstances'],
        Resource: [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0a`, `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0b`],
      },
    ]);
    const describe = derive({ service: 'ec2', operation: 'DescribeInstances', input: {} });
    expect(describe.accessLevel).toBe('List');
    expect(describe.statements).toEqual([{ Effect: 'Allow', Action: ['ec2:DescribeInstances'], Resource: ['*'] }]);
  });

  it('IAM: a role by name has no region; an AWS-managed policy ARN keeps its account `aws`', () => {
    const derived = derive({ service: 'iam', operation: 'PutRolePolicy', input: { RoleName: 'app', PolicyName: 'p', PolicyDocument: '{}' } });
    expect(derived.accessLevel).toBe('Permissions management');
    expect(derived.statements).toEqual([{ Effect: 'Allow', Action: ['iam:PutRolePolicy'], Resource: [`arn:aws:iam::${ACCOUNT}:role/app`] }]);
    const managed = 'arn:aws:iam::aws:policy/ReadOnlyAccess';
    expect(derive({ service: 'iam', operation: 'GetPolicy', input: { PolicyArn: managed } }).statements[0]?.Resource).toEqual([managed]);
    expect(derive({ service: 'iam', operation: 'TagRole', input: { RoleName: 'app', Tags: [] } }).accessLevel).toBe('Tagging');
  });

  it("summarizes a call in the partition its input names, else aws (never the size check's longest one)", () => {
    expect(awsCall.summarize({ service: 's3', operation: 'DeleteObject', input: { Bucket: 'reports', Key: 'k' } })).toBe(
      'call s3 DeleteObject on arn:aws:s3:::reports/k',
    );
    const topic = `arn:aws-cn:sns:${REGION}:${ACCOUNT}:alerts`;
    expect(awsCall.summarize({ service: 'sns', operation: 'Publish', input: { TopicArn: topic }, accountId: ACCOUNT, region: REGION })).toBe(
      `call sns Publish on ${topic} (${ACCOUNT}, ${REGION})`,
    );
  });

  it("fills the worker's partition", () => {
    expect(derive({ service: 'dynamodb', operation: 'GetItem', input: { TableName: 't' } }, 'aws-us-gov').statements[0]?.Resource).toEqual([
      `arn:aws-us-gov:dynamodb:${REGION}:${ACCOUNT}:table/t`,
    ]);
  });
});

describe('derivePermissions refuses what it cannot name exactly', () => {
  it('a required resource the input does not name', () => {
    expect(refusal({ service: 'dynamodb', operation: 'DeleteItem', input: { Key: { pk: { S: 'a' } } } })).toMatch(
      /dynamodb:DeleteItem needs a table .*input.TableName, which the input does not have/,
    );
  });

  it('S3 object calls without a Key (neither alternative resource can be named)', () => {
    expect(refusal({ service: 's3', operation: 'DeleteObject', input: { Bucket: 'reports' } })).toMatch(/names none of its resources/);
  });

  it('an ARN that needs a region or an account the params do not give', () => {
    expect(() => derivePermissions({ service: 'dynamodb', operation: 'DeleteItem', input: { TableName: 't' } }, { partition: 'aws' })).toThrow(
      /params.region is required/,
    );
    expect(() => derivePermissions({ service: 'dynamodb', operation: 'DeleteItem', input: { TableName: 't' }, region: REGION }, { partition: 'aws' })).toThrow(
      /params.accountId is required/,
    );
  });

  it.each(['*', 'orders*', 'ord?rs', '${aws:username}', 'a/b', 'a:b', ''])('a table name %j (wildcard, variable, another segment or nothing)', (name) => {
    expect(refusal({ service: 'dynamodb', operation: 'DeleteItem', input: { TableName: name } })).toMatch(/input.TableName/);
  });

  it('an API operation the reference does not list as an IAM action', () => {
    expect(refusal({ service: 'dynamodb', operation: 'NoSuchThing', input: { TableName: 't' } })).toMatch(
      /@cloud-copilot\/iam-data .* lists no IAM action dynamodb:NoSuchThing/,
    );
  });

  it('more resources than one reviewable call should hold', () => {
    const ids = Array.from({ length: 21 }, (_, index) => `i-${index}`);
    expect(refusal({ service: 'ec2', operation: 'StopInstances', input: { InstanceIds: ids } })).toMatch(/21 resources; at most 20/);
  });
});
