import { compileGlob, evaluatePolicy, parsePolicy, type EvaluationRequest, type LoadedPolicy } from '../../../policy';
import type { JsonObject } from '../../../domain/types';

function request(params: JsonObject = {}, requester = 'etl-bot', action = 's3.copyObject'): EvaluationRequest {
  return { action, params, requester: { id: requester, source: 'api' } };
}

/** A policy whose only rule (`probe`, allow) matches on the given params matchers; the default denies. */
function matcherPolicy(matcher: string): LoadedPolicy {
  return parsePolicy(
    `version: 1
rules:
  - id: probe
    match: { action: probe, params: { ${matcher} } }
    effect: allow
`,
    'matcher.yaml',
  );
}

/** Whether the probe rule matched these params. */
function holds(policy: LoadedPolicy, params: JsonObject): boolean {
  return evaluatePolicy(policy, request(params, 'etl-bot', 'probe')).ruleId === 'probe';
}

describe('first matching rule wins', () => {
  const policy = parsePolicy(
    `version: 1
groups:
  owners: [alice, bob]
rules:
  - id: deny-secret
    match: { action: s3.copyObject, params: { sourceBucket: { equals: secret } } }
    effect: deny
  - id: allow-scratch
    match: { action: s3.copyObject, params: { destinationBucket: { equals: scratch } } }
    effect: allow
  - id: review-copies
    match: { action: s3.copyObject }
    effect: review
    review: { approvers: [owners] }
`,
    'order.yaml',
  );

  test('an earlier rule beats a later one that also matches', () => {
    const decision = evaluatePolicy(policy, request({ sourceBucket: 'secret', destinationBucket: 'scratch' }));
    expect(decision).toMatchObject({ effect: 'deny', ruleId: 'deny-secret' });
  });

  test('falls through to the next rule when one does not match', () => {
    expect(evaluatePolicy(policy, request({ sourceBucket: 'a', destinationBucket: 'scratch' }))).toMatchObject({
      effect: 'allow',
      ruleId: 'allow-scratch',
    });
    expect(evaluatePolicy(policy, request({ sourceBucket: 'a', destinationBucket: 'b' }))).toMatchObject({
      effect: 'review',
      ruleId: 'review-copies',
    });
  });

  test('no match gives the default default: deny, rule id default', () => {
    expect(evaluatePolicy(policy, request({}, 'etl-bot', 'ec2.runInstances'))).toEqual({
      effect: 'deny',
      ruleId: 'default',
      reason: 'No rule matched',
      risk: 'high',
      policyHash: policy.hash,
    });
  });

  test('risk defaults by effect and reasons are generated from the rule id', () => {
    expect(evaluatePolicy(policy, request({ sourceBucket: 'secret' }))).toMatchObject({
      risk: 'high',
      reason: 'Denied by policy rule deny-secret',
    });
    expect(evaluatePolicy(policy, request({ destinationBucket: 'scratch' }))).toMatchObject({
      risk: 'low',
      reason: 'Allowed by policy rule allow-scratch',
    });
    expect(evaluatePolicy(policy, request({}))).toMatchObject({
      risk: 'medium',
      reason: 'Review required by policy rule review-copies',
    });
  });

  test('only review decisions carry review requirements', () => {
    expect(evaluatePolicy(policy, request({ sourceBucket: 'secret' })).review).toBeUndefined();
    expect(evaluatePolicy(policy, request({ destinationBucket: 'scratch' })).review).toBeUndefined();
  });
});

describe('a custom default', () => {
  test('allow with its own reason and risk', () => {
    const policy = parsePolicy('version: 1\nrules: []\ndefault: { effect: allow, reason: Anything goes here, risk: medium }\n', 'default.yaml');
    expect(evaluatePolicy(policy, request())).toMatchObject({ effect: 'allow', ruleId: 'default', reason: 'Anything goes here', risk: 'medium' });
  });

  test('review, with the same requirements as a rule', () => {
    const policy = parsePolicy(
      'version: 1\ngroups: { ops: [alice, bob] }\nrules: []\ndefault: { effect: review, review: { approvers: [ops] } }\n',
      'default.yaml',
    );
    expect(evaluatePolicy(policy, request({}, 'alice'))).toMatchObject({
      effect: 'review',
      ruleId: 'default',
      review: { approverGroups: ['ops'], eligibleApprovers: ['bob'], quorum: 1 },
    });
  });
});

describe('action matching', () => {
  const policy = parsePolicy(
    `version: 1
rules:
  - id: exact
    match: { action: iam.putRolePolicy }
    effect: deny
  - id: listed
    match: { action: [ec2.runInstances, ec2.stopInstances] }
    effect: deny
  - id: s3-glob
    match: { action: 's3.*' }
    effect: allow
  - id: one-char
    match: { action: 'kms.?ncrypt' }
    effect: allow
`,
    'actions.yaml',
  );
  const ruleFor = (action: string) => evaluatePolicy(policy, request({}, 'etl-bot', action)).ruleId;

  test('exact names and lists', () => {
    expect(ruleFor('iam.putRolePolicy')).toBe('exact');
    expect(ruleFor('iam.putRolePolicyX')).toBe('default');
    expect(ruleFor('ec2.runInstances')).toBe('listed');
    expect(ruleFor('ec2.stopInstances')).toBe('listed');
    expect(ruleFor('ec2.terminateInstances')).toBe('default');
  });

  test('globs are anchored: s3.* matches s3 actions only', () => {
    expect(ruleFor('s3.copyObject')).toBe('s3-glob');
    expect(ruleFor('s3.')).toBe('s3-glob');
    expect(ruleFor('xs3.copyObject')).toBe('default');
    expect(ruleFor('s3')).toBe('default');
    expect(ruleFor('kms.encrypt')).toBe('one-char');
    expect(ruleFor('kms.decrypt')).toBe('default');
  });

  test('matching is case-sensitive', () => {
    expect(ruleFor('IAM.putRolePolicy')).toBe('default');
  });
});

describe('compileGlob', () => {
  test.each([
    ['*', '', true],
    ['*', 'anything at all', true],
    ['exports/*', 'exports/a/b.csv', true],
    ['exports/*', 'exports/', true],
    ['exports/*', 'exports', false],
    ['*.csv', 'a.csv', true],
    ['*.csv', 'a.csv.gz', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXcYYb', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['a?c', 'abbc', false],
    ['?', '😀', true],
    ['a.c', 'abc', false], // no regular-expression meaning for `.`
    ['(x)+', '(x)+', true],
    ['**a', 'ba', true],
  ])('%j on %j is %s', (pattern, text, expected) => {
    expect(compileGlob(pattern)(text)).toBe(expected);
  });

  test('a hostile value does not backtrack catastrophically', () => {
    const glob = compileGlob('*a*a*a*a*a*a*b');
    const started = Date.now();
    expect(glob('a'.repeat(20_000))).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('param operators', () => {
  test('equals compares value and type', () => {
    const policy = matcherPolicy('n: { equals: 5 }');
    expect(holds(policy, { n: 5 })).toBe(true);
    expect(holds(policy, { n: '5' })).toBe(false);
    expect(holds(policy, { n: 6 })).toBe(false);
    expect(holds(policy, {})).toBe(false);
    expect(holds(matcherPolicy('b: { equals: true }'), { b: true })).toBe(true);
    expect(holds(matcherPolicy('b: { equals: true }'), { b: 'true' })).toBe(false);
  });

  test('notEquals holds on a different or missing value', () => {
    const policy = matcherPolicy('s: { notEquals: prod }');
    expect(holds(policy, { s: 'dev' })).toBe(true);
    expect(holds(policy, { s: 'prod' })).toBe(false);
    expect(holds(policy, {})).toBe(true);
  });

  test('in', () => {
    const policy = matcherPolicy('s: { in: [a, b, 3] }');
    expect(holds(policy, { s: 'a' })).toBe(true);
    expect(holds(policy, { s: 3 })).toBe(true);
    expect(holds(policy, { s: 'c' })).toBe(false);
    expect(holds(policy, { s: ['a'] })).toBe(false);
    expect(holds(policy, {})).toBe(false);
  });

  test('notIn holds on a value outside the list, a non-scalar, or a missing value', () => {
    const policy = matcherPolicy('s: { notIn: [a, b] }');
    expect(holds(policy, { s: 'c' })).toBe(true);
    expect(holds(policy, { s: 'a' })).toBe(false);
    expect(holds(policy, { s: { nested: 'a' } })).toBe(true);
    expect(holds(policy, {})).toBe(true);
  });

  test('matches is an anchored glob on strings only', () => {
    const policy = matcherPolicy("key: { matches: 'reports/*.csv' }");
    expect(holds(policy, { key: 'reports/2026-q3.csv' })).toBe(true);
    expect(holds(policy, { key: 'old/reports/2026-q3.csv' })).toBe(false);
    expect(holds(policy, { key: 'reports/2026-q3.csv.bak' })).toBe(false);
    expect(holds(policy, { key: 5 })).toBe(false);
    expect(holds(policy, {})).toBe(false);
  });

  test.each([
    ['gt: 10', [11], [10, 9]],
    ['gte: 10', [10, 11], [9]],
    ['lt: 10', [9], [10, 11]],
    ['lte: 10', [9, 10], [11]],
  ])('%s on numbers only', (operator, passing, failing) => {
    const policy = matcherPolicy(`count: { ${operator} }`);
    for (const count of passing) expect(holds(policy, { count })).toBe(true);
    for (const count of failing) expect(holds(policy, { count })).toBe(false);
    expect(holds(policy, { count: '11' })).toBe(false);
    expect(holds(policy, {})).toBe(false);
  });

  test('exists', () => {
    const present = matcherPolicy('tag: { exists: true }');
    const absent = matcherPolicy('tag: { exists: false }');
    expect(holds(present, { tag: 'x' })).toBe(true);
    expect(holds(present, { tag: null })).toBe(true); // null is a value
    expect(holds(present, {})).toBe(false);
    expect(holds(absent, {})).toBe(true);
    expect(holds(absent, { tag: 'x' })).toBe(false);
  });

  test('every operator in one matcher must hold (a range)', () => {
    const policy = matcherPolicy('count: { gte: 1, lte: 3 }');
    expect(holds(policy, { count: 0 })).toBe(false);
    expect(holds(policy, { count: 2 })).toBe(true);
    expect(holds(policy, { count: 4 })).toBe(false);
  });

  test('notIn with exists: true fails on a missing value', () => {
    const policy = matcherPolicy('s: { notIn: [a], exists: true }');
    expect(holds(policy, {})).toBe(false);
    expect(holds(policy, { s: 'b' })).toBe(true);
  });

  test('every param matcher of a rule must hold', () => {
    const policy = matcherPolicy('a: { equals: 1 }, b: { equals: 2 }');
    expect(holds(policy, { a: 1, b: 2 })).toBe(true);
    expect(holds(policy, { a: 1, b: 3 })).toBe(false);
    expect(holds(policy, { a: 1 })).toBe(false);
  });
});

describe('dotted param paths', () => {
  const policy = matcherPolicy("tags.env: { equals: prod }, 'items.1.size': { gt: 100 }");

  test('reach into nested objects and arrays', () => {
    expect(holds(policy, { tags: { env: 'prod' }, items: [{ size: 1 }, { size: 101 }] })).toBe(true);
    expect(holds(policy, { tags: { env: 'dev' }, items: [{ size: 1 }, { size: 101 }] })).toBe(false);
    expect(holds(policy, { tags: { env: 'prod' }, items: [{ size: 101 }] })).toBe(false);
  });

  test('a missing step is a missing value, not an error', () => {
    expect(holds(policy, { tags: 'prod' })).toBe(false);
    expect(holds(policy, { tags: null })).toBe(false);
    expect(holds(matcherPolicy('a.b.c: { exists: false }'), { a: 1 })).toBe(true);
    expect(holds(matcherPolicy('a.b.c: { exists: false }'), { a: { b: { c: 0 } } })).toBe(false);
  });

  test('inherited properties do not count as present', () => {
    expect(holds(matcherPolicy('constructor: { exists: true }'), {})).toBe(false);
    expect(holds(matcherPolicy('tags.toString: { exists: true }'), { tags: {} })).toBe(false);
    expect(holds(matcherPolicy('items.length: { exists: true }'), { items: [1] })).toBe(false);
  });
});

describe('requester matching', () => {
  const policy = parsePolicy(
    `version: 1
groups:
  agents: [etl-bot, report-bot]
rules:
  - id: by-id
    match: { action: x, requester: alice }
    effect: allow
  - id: by-group-or-id
    match: { action: x, requester: [group:agents, carol] }
    effect: allow
`,
    'requester.yaml',
  );
  const ruleFor = (id: string) => evaluatePolicy(policy, request({}, id, 'x')).ruleId;

  test('identity ids and group members match; others fall through', () => {
    expect(ruleFor('alice')).toBe('by-id');
    expect(ruleFor('etl-bot')).toBe('by-group-or-id');
    expect(ruleFor('report-bot')).toBe('by-group-or-id');
    expect(ruleFor('carol')).toBe('by-group-or-id');
    expect(ruleFor('mallory')).toBe('default');
    expect(ruleFor('agents')).toBe('default'); // a group's name is not a member
    expect(ruleFor('group:agents')).toBe('default');
  });
});

describe('review requirements', () => {
  const policy = parsePolicy(
    `version: 1
groups:
  data-owners: [carol, alice, bob]
  security: [dave, alice]
  pair: [alice, bob]
defaults:
  review: { timeout: 2h, channels: ['slack:#approvals'] }
rules:
  - id: two-groups
    match: { action: two }
    effect: review
    review: { approvers: [data-owners, security], quorum: 2 }
  - id: own-settings
    match: { action: own }
    effect: review
    risk: critical
    reason: Because
    review: { approvers: data-owners, timeout: 90s, channels: [api, 'teams:19:owners@thread.tacv2'] }
  - id: pair-of-two
    match: { action: pair }
    effect: review
    review: { approvers: [pair], quorum: 2 }
`,
    'review.yaml',
  );

  test('approvers are the distinct members of the groups, sorted, and defaults fill the gaps', () => {
    expect(evaluatePolicy(policy, request({}, 'etl-bot', 'two'))).toEqual({
      effect: 'review',
      ruleId: 'two-groups',
      reason: 'Review required by policy rule two-groups',
      risk: 'medium',
      policyHash: policy.hash,
      review: {
        approverGroups: ['data-owners', 'security'],
        eligibleApprovers: ['alice', 'bob', 'carol', 'dave'],
        quorum: 2,
        timeoutMs: 2 * 60 * 60 * 1000,
        channels: ['slack:#approvals'],
      },
    });
  });

  test('the rule overrides the defaults', () => {
    expect(evaluatePolicy(policy, request({}, 'etl-bot', 'own'))).toMatchObject({
      risk: 'critical',
      reason: 'Because',
      review: { quorum: 1, timeoutMs: 90_000, channels: ['api', 'teams:19:owners@thread.tacv2'] },
    });
  });

  test('without defaults: 24h and the api channel', () => {
    const bare = parsePolicy(
      'version: 1\ngroups: { g: [alice] }\nrules: [{ id: r, match: { action: x }, effect: review, review: { approvers: [g] } }]\n',
      'bare.yaml',
    );
    expect(evaluatePolicy(bare, request({}, 'etl-bot', 'x')).review).toMatchObject({ timeoutMs: 86_400_000, channels: ['api'], quorum: 1 });
  });

  test('the requester is never an eligible approver', () => {
    expect(evaluatePolicy(policy, request({}, 'alice', 'two')).review?.eligibleApprovers).toEqual(['bob', 'carol', 'dave']);
    expect(evaluatePolicy(policy, request({}, 'dave', 'two')).review?.eligibleApprovers).toEqual(['alice', 'bob', 'carol']);
  });

  test('when removing the requester leaves fewer approvers than the quorum, the decision is deny', () => {
    const decision = evaluatePolicy(policy, request({}, 'alice', 'pair'));
    expect(decision).toMatchObject({ effect: 'deny', ruleId: 'pair-of-two', policyHash: policy.hash });
    expect(decision.reason).toMatch(
      /^Quorum unattainable: rule pair-of-two needs 2 distinct approvers from pair, but only 1 is eligible once the requester \(alice\) is excluded/,
    );
    expect(decision.review).toBeUndefined();
    // Somebody outside the pair still gets a review.
    expect(evaluatePolicy(policy, request({}, 'carol', 'pair'))).toMatchObject({ effect: 'review', review: { eligibleApprovers: ['alice', 'bob'] } });
  });

  test('decisions do not share arrays with the policy or with each other', () => {
    const first = evaluatePolicy(policy, request({}, 'etl-bot', 'two'));
    first.review?.eligibleApprovers.push('mallory');
    first.review?.approverGroups.push('everyone');
    first.review?.channels.push('api');
    expect(evaluatePolicy(policy, request({}, 'etl-bot', 'two')).review).toMatchObject({
      approverGroups: ['data-owners', 'security'],
      eligibleApprovers: ['alice', 'bob', 'carol', 'dave'],
      channels: ['slack:#approvals'],
    });
  });
});

describe('purity', () => {
  test('the same request gives the same decision, and the policy document is frozen', () => {
    const policy = matcherPolicy('n: { equals: 1 }');
    const params = { n: 1 };
    expect(evaluatePolicy(policy, request(params, 'a1', 'probe'))).toEqual(evaluatePolicy(policy, request(params, 'a1', 'probe')));
    expect(params).toEqual({ n: 1 });
    expect(Object.isFrozen(policy.document)).toBe(true);
    expect(Object.isFrozen(policy.document.rules[0]?.match)).toBe(true);
  });
});
