import { defaultCatalogue } from '../../../operations/catalogue';
import { operationProblem } from '../../../operations/user-operations';
import { EC2_LAUNCH } from '../../support/ec2-params';

/** Params each built-in operation's own tests use. */
const EXAMPLES: Record<string, unknown[]> = {
  's3.copyObject': [
    { sourceBucket: 'airlock-source', sourceKey: 'reports/2026-q3.csv', destinationBucket: 'airlock-exports', destinationKey: 'partner/2026-q3.csv' },
  ],
  's3.exportPrefix': [{ sourceBucket: 'warehouse', sourcePrefix: 'datasets/2026/', destinationBucket: 'partner-drop', destinationPrefix: 'acme/2026/' }],
  'ec2.runInstances': [
    EC2_LAUNCH,
    // No region (any the worker's credentials reach), with security groups and tags.
    { ...EC2_LAUNCH, region: undefined, count: 1, securityGroupIds: ['sg-0123456789abcdef0'], tags: { team: 'data' } },
  ],
  'iam.putRolePolicy': [
    {
      accountId: '111122223333',
      roleName: 'ci-deployer',
      policyName: 'read-reports',
      policyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['arn:aws:s3:::reports/*'] }] },
    },
  ],
  'iam.attachRolePolicy': [{ accountId: '111122223333', roleName: 'ci-deployer', policyArn: 'arn:aws:iam::111122223333:policy/team/read-reports' }],
  'iam.detachRolePolicy': [{ accountId: '111122223333', roleName: 'ci-deployer', policyArn: 'arn:aws:iam::111122223333:policy/team/read-reports' }],
};

/**
 * The built-in operations and those loaded from AIRLOCK_OPERATIONS are one contract: the
 * loader's check, applied to each built-in with its tests' params, finds nothing wrong, so a
 * module written like them loads, and no built-in takes a wildcard from its input.
 */
describe('the built-in operations under the loader check', () => {
  it('covers every built-in operation', () => {
    expect(Object.keys(EXAMPLES).sort()).toEqual(defaultCatalogue().names());
  });

  it.each(
    defaultCatalogue()
      .list()
      .map((operation) => [operation.name, operation] as const),
  )('%s passes it', (name, operation) => {
    expect(operationProblem({ ...operation, examples: EXAMPLES[name] ?? [] }, new Set())).toBeUndefined();
  });
});
