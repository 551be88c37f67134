import { join } from 'node:path';
import { catalogueWith, defaultCatalogue } from '../../../operations/catalogue';
import { hostileVariants, inputWildcards, policyProblem } from '../../../operations/policy-check';
import type { IamPolicyDocument } from '../../../operations/types';
import { defineOperation } from '../../../operations/sdk';
import { loadUserOperations, OperationModuleError } from '../../../operations/user-operations';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'operations');
const builtIns = defaultCatalogue().names();

function refusal(module: string): string {
  try {
    loadUserOperations([module], builtIns, FIXTURES);
  } catch (err) {
    expect(err).toBeInstanceOf(OperationModuleError);
    return (err as Error).message;
  }
  throw new Error(`${module} was loaded`);
}

describe('operations from AIRLOCK_OPERATIONS', () => {
  it('loads every operation a module lists, beside the built-in ones', () => {
    const catalogue = catalogueWith([join(FIXTURES, 'good.js')]);
    expect(catalogue.names()).toEqual([...builtIns, 'demo.touchItem', 'demo.untouchItem'].sort());
    // Resolved and parsed like a built-in: the agent's params are checked by the module's schema.
    expect(catalogue.resolve('demo.touchItem', { table: 'orders', key: 'k9' }).params).toEqual({ table: 'orders', key: 'k9' });
    expect(() => catalogue.resolve('demo.touchItem', { table: 'orders', key: 'k9', extra: 1 })).toThrow(/invalid params/);
  });

  it('resolves paths against the working directory it is given', () => {
    expect(loadUserOperations(['./good.js'], builtIns, FIXTURES).map((operation) => operation.name)).toEqual(['demo.touchItem', 'demo.untouchItem']);
    // Without ./, a file that exists there is still a path, not a package name.
    expect(loadUserOperations(['operations/good.js'], builtIns, join(FIXTURES, '..')).map((operation) => operation.name)).toEqual([
      'demo.touchItem',
      'demo.untouchItem',
    ]);
  });

  it.each([
    ['wildcard.js', /wildcard\.js: demo\.touchAll examples\[0\]: sessionPolicy Statement\[0\] allows a wildcard action: "dynamodb:\*"/],
    [
      'injectable.js',
      /injectable\.js: demo\.touchAny accepts \{"table":"\*","key":"k1"\}, and then its sessionPolicy allows "arn:aws:dynamodb:us-east-1:123456789012:table\/\*"/,
    ],
    ['clash.js', /clash\.js: operation s3\.copyObject is already in the catalogue/],
    ['no-examples.js', /no-examples\.js: demo\.noExamples has no examples/],
    ['broken.js', /broken\.js: cannot be loaded: this module fails as it loads/],
    ['nothing.js', /nothing\.js: export 0 is not an operation|nothing\.js: exports no operation/],
    ['./missing.js', /missing\.js: cannot be loaded: .*Cannot (find|resolve) module/],
    ['airlock-no-such-package', /airlock-no-such-package: cannot be loaded: .*Cannot (find|resolve) module/],
  ])('refuses %s, naming the module and the problem', (module, message) => {
    expect(refusal(module)).toMatch(message);
  });

  it('accepts a wildcard resource the operation writes itself, which no input reaches', () => {
    expect(loadUserOperations(['./fixed-wildcard.js'], builtIns, FIXTURES).map((operation) => operation.name)).toEqual(['demo.describeTables']);
  });

  it('refuses a name that two modules both use', () => {
    expect(() => loadUserOperations(['./good.js', './good.js'], builtIns, FIXTURES)).toThrow(/good\.js: operation demo\.touchItem is already in the catalogue/);
  });
});

describe('the policy check', () => {
  const allow = (action: string, resource: string): unknown => ({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: [action], Resource: [resource] }],
  });

  it('accepts exact actions, resources with wildcards of their own, and a Deny as wide as it likes', () => {
    expect(policyProblem(allow('s3:GetObject', 'arn:aws:s3:::b/k'))).toBeUndefined();
    expect(policyProblem(allow('ec2:RunInstances', 'arn:aws:ec2:us-east-1:123456789012:instance/*'))).toBeUndefined();
    expect(policyProblem({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'] }] })).toBeUndefined();
  });

  it.each([
    ['a service-wide action', allow('s3:*', 'arn:aws:s3:::b/k'), /allows a wildcard action: "s3:\*"/],
    ['a ? in an action', allow('s3:Get?bject', 'arn:aws:s3:::b/k'), /allows a wildcard action/],
    ['a policy variable', allow('s3:GetObject', 'arn:aws:s3:::b/${aws:username}'), /policy variable/],
    [
      'NotAction',
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', NotAction: ['s3:GetObject'], Action: ['x:y'], Resource: ['r'] }] },
      /NotAction or NotResource/,
    ],
    ['an old Version', { Version: '2008-10-17', Statement: [] }, /Version/],
    ["a policy over STS's limit", allow('s3:GetObject', `arn:aws:s3:::b/${'k'.repeat(2100)}`), /over STS's 2048/],
  ])('refuses %s', (_label, policy, message) => {
    expect(policyProblem(policy)).toMatch(message);
  });

  it('tells the wildcards that came from input from those the operation wrote', () => {
    const policy = (resources: string[]): IamPolicyDocument => ({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['ec2:RunInstances'], Resource: resources }],
    });
    const own = 'arn:aws:ec2:us-east-1:1:instance/*';
    expect(inputWildcards(policy([own, 'arn:aws:ec2:us-east-1:1:subnet/subnet-1']), policy([own, 'arn:aws:ec2:us-east-1:1:subnet/*']))).toEqual([
      'arn:aws:ec2:us-east-1:1:subnet/*',
    ]);
    expect(inputWildcards(policy([own]), policy([own]))).toEqual([]);
  });

  it('puts each hostile string into each string of an example, one at a time', () => {
    const variants = hostileVariants({ a: 'x', list: ['y'], n: 1 });
    expect(variants).toContainEqual({ a: '*', list: ['y'], n: 1 });
    expect(variants).toContainEqual({ a: 'x', list: ['${aws:username}'], n: 1 });
    expect(variants).toHaveLength(8); // two strings × four hostile values
  });
});

describe('defineOperation', () => {
  it('returns the operation frozen, so the checked entry cannot change later', () => {
    const [operation] = loadUserOperations(['./good.js'], builtIns, FIXTURES);
    if (!operation) throw new Error('no operation');
    const defined = defineOperation({ ...operation, examples: [{ table: 'orders', key: 'k1' }] });
    expect(Object.isFrozen(defined)).toBe(true);
    expect(defined.name).toBe('demo.touchItem');
  });
});
