import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { ACCESS_LEVELS } from '../../../domain/grants';
import { defaultCatalogue } from '../../../operations/catalogue';
import { evaluatePolicy, loadPolicyFile, parsePolicy, reviewOutlook, type LoadedPolicy, type ReviewOutlook } from '../../../policy';
import type { JsonObject, JsonValue, PolicyEffect } from '../../../domain/types';

const ROOT = join(__dirname, '..', '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures');
const example = loadPolicyFile(join(ROOT, 'config', 'example-policy.yaml'));
const fixture = (name: string): LoadedPolicy => loadPolicyFile(join(FIXTURES, name));

describe('reviewOutlook on the policies the project ships and tests with', () => {
  it.each<[string, LoadedPolicy, string, string, ReviewOutlook]>([
    ['example: copies are denied, allowed or reviewed by destination', example, 's3.copyObject', 'etl-bot', 'depends_on_params'],
    ['example: a data owner asking gets the same rules', example, 's3.copyObject', 'alice', 'depends_on_params'],
    ['example: no rule names prefix exports, so the default denies', example, 's3.exportPrefix', 'etl-bot', 'denied'],
    ['example: nor IAM changes', example, 'iam.putRolePolicy', 'etl-bot', 'denied'],
    ['tests: copies depend on bucket, key and size', fixture('policy.yaml'), 's3.copyObject', 'etl-bot', 'depends_on_params'],
    ['tests: prefix exports to scratch are allowed, others denied', fixture('policy.yaml'), 's3.exportPrefix', 'etl-bot', 'depends_on_params'],
    ['tests: EC2 is never allowed', fixture('policy.yaml'), 'ec2.runInstances', 'etl-bot', 'denied'],
    ['operators: every copy is reviewed', fixture('policy-operators.yaml'), 's3.copyObject', 'etl-bot', 'required'],
    ['operators: inline role policies are allowed', fixture('policy-operators.yaml'), 'iam.putRolePolicy', 'etl-bot', 'not_required'],
    ['reminders: two review rules, both review', fixture('policy-reminders.yaml'), 's3.copyObject', 'etl-bot', 'required'],
    ['races: review by key, else the default denies', fixture('policy-races.yaml'), 's3.copyObject', 'etl-bot', 'depends_on_params'],
  ])('%s', (_name, policy, action, requester, expected) => {
    expect(reviewOutlook(policy, action, requester)).toBe(expected);
  });
});

describe('reviewOutlook for MCP gateway tools of the example policy', () => {
  it('decides a tool from its annotations, skipping the rule on grants a call without AWS credentials never has', () => {
    const noGrants = { grantsNothing: true };
    expect(reviewOutlook(example, 'mcp.files.read_text_file', 'etl-bot', { readOnlyHint: true }, noGrants)).toBe('not_required');
    expect(reviewOutlook(example, 'mcp.files.write_file', 'etl-bot', { readOnlyHint: false, destructiveHint: true }, noGrants)).toBe('required');
    // With per-call AWS credentials the deny rule on Permissions management may match: the arguments decide.
    expect(reviewOutlook(example, 'mcp.files.write_file', 'etl-bot', { readOnlyHint: false })).toBe('depends_on_params');
  });
});

describe('reviewOutlook reads rules as the evaluator does', () => {
  const policy = parsePolicy(
    `version: 1
groups:
  owners: [alice, bob]
  agents: [etl-bot]
rules:
  - id: agents-may-read
    match: { action: 'iam.attach*', requester: group:agents }
    effect: allow
  - id: owners-need-two
    match: { action: 'iam.*' }
    effect: review
    review: { approvers: [owners], quorum: 2 }
  - id: empty-params-match-anything
    match: { action: ec2.runInstances, params: {} }
    effect: allow
  - id: big-copies
    match: { action: s3.copyObject, preview: { sourceBytes: { gte: 1000 } } }
    effect: review
    review: { approvers: [owners] }
  - id: copies
    match: { action: s3.copyObject }
    effect: allow
  - id: only-carol
    match: { action: s3.exportPrefix, requester: carol }
    effect: deny
default:
  effect: review
  review: { approvers: [owners] }
`,
    'outlook.yaml',
  );

  it('applies a requester rule only to its requesters, and a wildcard action to every action it matches', () => {
    expect(reviewOutlook(policy, 'iam.attachRolePolicy', 'etl-bot')).toBe('not_required');
    expect(reviewOutlook(policy, 'iam.attachRolePolicy', 'other-bot')).toBe('required');
    expect(reviewOutlook(policy, 'iam.putRolePolicy', 'etl-bot')).toBe('required');
  });

  it('counts a review the requester leaves without a quorum as a deny, as the evaluator decides it', () => {
    expect(reviewOutlook(policy, 'iam.putRolePolicy', 'alice')).toBe('denied');
    expect(evaluatePolicy(policy, { action: 'iam.putRolePolicy', params: {}, requester: { id: 'alice', source: 'api' } }).effect).toBe('deny');
  });

  it('takes an empty params mapping as no condition, and a preview matcher as one', () => {
    expect(reviewOutlook(policy, 'ec2.runInstances', 'etl-bot')).toBe('not_required');
    expect(reviewOutlook(policy, 's3.copyObject', 'etl-bot')).toBe('depends_on_params');
  });

  it('falls through to the default when no rule matches, and stops at the first unconditional one', () => {
    expect(reviewOutlook(policy, 's3.exportPrefix', 'etl-bot')).toBe('required');
    expect(reviewOutlook(policy, 's3.exportPrefix', 'carol')).toBe('denied');
    expect(reviewOutlook(policy, 'unknown.action', 'etl-bot')).toBe('required');
  });
});

/**
 * Against the evaluator itself: for every policy above, action and requester, requests made of the
 * values the policy's own matchers name (and others) get the effect the outlook promised.
 */
/** Grants as operations' session policies give them: rules on grants match some and not others. */
const GRANT = fc.record({
  iamAction: fc.constantFrom('dynamodb:DeleteItem', 'dynamodb:GetItem', 's3:GetObject', 's3:PutObject', 'iam:PutRolePolicy'),
  accessLevel: fc.constantFrom(...ACCESS_LEVELS),
  resource: fc.constantFrom(
    'arn:aws:dynamodb:us-east-1:123456789012:table/prod-orders',
    'arn:aws:dynamodb:us-east-1:123456789012:table/dev-orders',
    'arn:aws:s3:::b/k',
    '*',
  ),
});

describe('reviewOutlook agrees with evaluatePolicy', () => {
  const policies = [
    example,
    ...readdirSync(FIXTURES)
      .filter((name) => /^policy.*\.yaml$/.test(name))
      .map(fixture),
  ];
  const actions = [...defaultCatalogue().names(), 'unknown.action'];
  const PROMISED: Partial<Record<ReviewOutlook, PolicyEffect>> = { required: 'review', not_required: 'allow', denied: 'deny' };

  it.each(policies.map((policy) => [policy.source.split('/').pop(), policy] as const))('on %s', (_name, policy) => {
    const requesters = [
      ...new Set([
        ...Object.keys(policy.document.identities ?? {}),
        ...Object.values(policy.document.groups ?? {}).flatMap((group) => group.members),
        'etl-bot',
        'stranger',
      ]),
    ];
    const { paths, values } = namedByMatchers(policy);
    const seen = new Map<string, Set<PolicyEffect>>();
    fc.assert(
      fc.property(
        fc.constantFrom(...actions),
        fc.constantFrom(...requesters),
        fc.dictionary(fc.constantFrom(...paths), fc.oneof(fc.constantFrom(...values), fc.string(), fc.integer())),
        fc.dictionary(fc.constantFrom('sourceBytes', 'destinationExists'), fc.oneof(fc.integer({ min: 0, max: 5000 }), fc.boolean())),
        fc.array(GRANT, { maxLength: 3 }),
        (action, requester, params, preview, grants) => {
          const effect = evaluatePolicy(policy, {
            action,
            params: params as JsonObject,
            preview: preview as JsonObject,
            requester: { id: requester, source: 'api' },
            grants,
          }).effect;
          const outlook = reviewOutlook(policy, action, requester);
          const promised = PROMISED[outlook];
          if (promised) expect({ action, requester, params, effect }).toEqual({ action, requester, params, effect: promised });
          const key = `${action} ${requester}`;
          seen.set(key, (seen.get(key) ?? new Set()).add(effect));
        },
      ),
      { numRuns: 2000 },
    );
    // Where the outlook says it depends, some request did get two different effects.
    const dependent = [...seen].filter(([key]) => reviewOutlook(policy, ...(key.split(' ') as [string, string])) === 'depends_on_params');
    expect(dependent.some(([, effects]) => effects.size > 1) || dependent.length === 0).toBe(true);
  });
});

/** Param paths the policy's matchers test, and values that make them hold or fail (a glob's `*` filled in). */
function namedByMatchers(policy: LoadedPolicy): { paths: string[]; values: JsonValue[] } {
  const paths = new Set(['destinationBucket', 'destinationKey', 'sourceBucket']);
  const values = new Set<JsonValue>(['airlock-exports', 'airlock-scratch', 'elsewhere']);
  for (const rule of policy.document.rules) {
    for (const [path, matcher] of Object.entries(rule.match.params ?? {})) {
      paths.add(path);
      for (const value of [matcher.equals, matcher.notEquals, ...(matcher.in ?? []), ...(matcher.notIn ?? [])]) if (value !== undefined) values.add(value);
      if (matcher.matches !== undefined) values.add(matcher.matches.replace(/\*/g, 'x').replace(/\?/g, 'y'));
    }
  }
  return { paths: [...paths], values: [...values] };
}
