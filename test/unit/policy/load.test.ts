import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatPath, loadPolicyFile, parsePolicy, PolicyFileError } from '../../../policy';

/** A valid policy; tests replace one line of it to break it in one known place. */
const VALID = `version: 1
identities:
  alice: { email: alice@example.com, slack: U01ALICE }
  bob: { slack: U02BOB }
groups:
  data-owners: [alice, bob, carol]
  agents: [etl-bot]
rules:
  - id: deny-elsewhere
    match:
      action: s3.copyObject
      requester: [etl-bot, group:agents]
      params:
        destinationBucket: { notIn: [exports, scratch] }
    effect: deny
  - id: review-exports
    match: { action: s3.copyObject }
    effect: review
    review:
      approvers: [data-owners]
      quorum: 2
      timeout: 1h
`;

/** VALID with line `lineNo` (1-based) replaced by `replacement` (which may span several lines). */
function withLine(lineNo: number, replacement: string): string {
  const lines = VALID.split('\n');
  expect(lines[lineNo - 1]).toBeDefined();
  lines[lineNo - 1] = replacement;
  return lines.join('\n');
}

function errorOf(text: string): PolicyFileError {
  try {
    parsePolicy(text, 'policy.yaml');
  } catch (err) {
    if (err instanceof PolicyFileError) return err;
    throw err;
  }
  throw new Error('the policy was accepted');
}

describe('parsePolicy: a valid file', () => {
  test('parses, normalising single values to lists', () => {
    const policy = parsePolicy(VALID, 'policy.yaml');
    expect(policy.source).toBe('policy.yaml');
    expect(policy.document.rules.map((rule) => rule.id)).toEqual(['deny-elsewhere', 'review-exports']);
    expect(policy.document.rules[1]?.match.action).toEqual(['s3.copyObject']);
    expect(policy.document.groups?.['data-owners']).toEqual({ members: ['alice', 'bob', 'carol'], idpGroups: [] });
  });

  test('an identity with nothing after it has no channel ids', () => {
    const policy = parsePolicy('version: 1\nidentities:\n  etl-bot:\nrules: []\n', 'p.yaml');
    expect(policy.document.identities).toEqual({ 'etl-bot': {} });
  });
});

describe('parsePolicy: hash', () => {
  test('is sha256 of the bytes, stable for the same text', () => {
    const hash = parsePolicy(VALID, 'a.yaml').hash;
    expect(hash).toBe(`sha256:${createHash('sha256').update(VALID, 'utf8').digest('hex')}`);
    expect(parsePolicy(VALID, 'b.yaml').hash).toBe(hash);
  });

  test('changes with any change to the file, even a comment', () => {
    const hash = parsePolicy(VALID, 'a.yaml').hash;
    expect(parsePolicy(`${VALID}# reviewed 2026-01-01\n`, 'a.yaml').hash).not.toBe(hash);
    expect(parsePolicy(withLine(21, '      quorum: 1'), 'a.yaml').hash).not.toBe(hash);
  });

  test('loadPolicyFile hashes the file bytes, matching parsePolicy of the same text', () => {
    const dir = tempDir();
    const file = join(dir, 'policy.yaml');
    writeFileSync(file, VALID);
    const loaded = loadPolicyFile(file);
    expect(loaded.source).toBe(file);
    expect(loaded.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(loaded.hash).toBe(parsePolicy(VALID, 'other-name.yaml').hash);
  });
});

describe('parsePolicy: errors name file, line and field', () => {
  test('the error is a PolicyFileError with a stable code and structured issues', () => {
    const err = errorOf(withLine(21, '      quorum: 0'));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('PolicyFileError');
    expect(err.code).toBe('invalid_policy');
    expect(err.issues).toEqual([{ path: 'rules[1].review.quorum', line: 21, message: 'must be at least 1' }]);
    expect(err.message).toBe('policy.yaml:21: rules[1].review.quorum: must be at least 1');
  });

  test('unknown key (a typo)', () => {
    expect(errorOf(withLine(21, '      quorom: 2')).message).toBe(
      'policy.yaml:21: rules[1].review.quorom: unknown field (expected one of: approvers, quorum, timeout, channels, remindBefore, escalation, stepUp)',
    );
    expect(errorOf(withLine(8, 'rule:')).message).toContain('policy.yaml:8: rule: unknown field');
    expect(errorOf(withLine(14, '        destinationBucket: { notin: [exports] }')).message).toContain(
      'policy.yaml:14: rules[0].match.params.destinationBucket.notin: unknown field',
    );
  });

  test('bad duration', () => {
    expect(errorOf(withLine(22, '      timeout: 1 hour')).message).toBe(
      'policy.yaml:22: rules[1].review.timeout: invalid duration "1 hour": use a whole number and one unit (ms, s, m, h, d), e.g. 90s, 15m, 1h, 2d',
    );
    expect(errorOf(withLine(22, '      timeout: 3600')).message).toContain('policy.yaml:22: rules[1].review.timeout: must be a duration');
  });

  test('quorum larger than the approver groups', () => {
    expect(errorOf(withLine(21, '      quorum: 4')).message).toBe(
      'policy.yaml:21: rules[1].review.quorum: quorum 4 is more than the 3 distinct members of data-owners',
    );
  });

  test('quorum counts distinct members across groups', () => {
    const twoGroups = withLine(20, '      approvers: [data-owners, agents]').replace('quorum: 2', 'quorum: 4');
    expect(() => parsePolicy(twoGroups, 'policy.yaml')).not.toThrow();
    const overlapping = withLine(7, '  agents: [alice, bob]')
      .replace('approvers: [data-owners]', 'approvers: [data-owners, agents]')
      .replace('quorum: 2', 'quorum: 4');
    expect(errorOf(overlapping).message).toContain(
      'policy.yaml:21: rules[1].review.quorum: quorum 4 is more than the 3 distinct members of data-owners, agents',
    );
  });

  test('undefined approver group', () => {
    expect(errorOf(withLine(20, '      approvers: [data-owners, ghosts]')).message).toBe(
      'policy.yaml:20: rules[1].review.approvers[1]: unknown group "ghosts" (defined groups: data-owners, agents)',
    );
  });

  test('undefined group:NAME in requester', () => {
    expect(errorOf(withLine(12, '      requester: [etl-bot, group:robots]')).message).toBe(
      'policy.yaml:12: rules[0].match.requester[1]: unknown group "robots" (defined groups: data-owners, agents)',
    );
  });

  test('YAML syntax error', () => {
    const err = errorOf(withLine(14, '        destinationBucket: { notIn: [exports, scratch }'));
    expect(err.message).toMatch(/^policy\.yaml:14: YAML: /);
    expect(err.issues[0]).toMatchObject({ path: '', line: 14 });
  });

  test('duplicate YAML key', () => {
    expect(errorOf(withLine(22, '      timeout: 1h\n      timeout: 2h')).message).toMatch(/^policy\.yaml:23: YAML: Map keys must be unique/);
  });

  test('a missing required field points at its parent', () => {
    expect(errorOf(withLine(20, '      quorum: 1').replace('      quorum: 2\n', '')).message).toBe('policy.yaml:19: rules[1].review.approvers: required');
    expect(errorOf(withLine(17, '    match: { requester: etl-bot }')).message).toBe('policy.yaml:17: rules[1].match.action: required');
  });

  test('review only with effect review, and required by it', () => {
    expect(errorOf(withLine(18, '    effect: allow')).message).toBe('policy.yaml:19: rules[1].review: only allowed when effect is review (effect is allow)');
    expect(errorOf(withLine(15, '    effect: review')).message).toBe('policy.yaml:9: rules[0].review: required when effect is review');
  });

  test('duplicate rule ids, and the reserved id default', () => {
    expect(errorOf(withLine(16, '  - id: deny-elsewhere')).message).toBe('policy.yaml:16: rules[1].id: duplicate rule id "deny-elsewhere" (also rules[0])');
    expect(errorOf(withLine(16, '  - id: default')).message).toContain('policy.yaml:16: rules[1].id: "default" is reserved');
  });

  test('identity ids and group members use the STS SourceIdentity character set', () => {
    expect(errorOf(withLine(4, '  "bob smith": { slack: U02BOB }')).message).toContain('policy.yaml:4: identities["bob smith"]: must be an identity id');
    expect(errorOf(withLine(6, '  data-owners: [alice, bob, c]')).message).toContain('policy.yaml:6: groups.data-owners[2]: must be an identity id');
    expect(errorOf(withLine(12, '      requester: [etl-bot, "etl bot"]')).message).toContain(
      'policy.yaml:12: rules[0].match.requester[1]: must be an identity id or group:NAME',
    );
  });

  test('wrong values are named with what is expected', () => {
    expect(errorOf(withLine(1, 'version: 2')).message).toBe('policy.yaml:1: version: must be 1');
    expect(errorOf(withLine(15, '    effect: block')).message).toBe('policy.yaml:15: rules[0].effect: must be one of deny, allow, review');
    expect(errorOf(withLine(14, '        destinationBucket: { gt: ten }')).message).toBe(
      'policy.yaml:14: rules[0].match.params.destinationBucket.gt: must be a number',
    );
    expect(errorOf(withLine(14, '        destinationBucket: {}')).message).toContain(
      'policy.yaml:14: rules[0].match.params.destinationBucket: must have at least one operator',
    );
    expect(errorOf(withLine(3, '  alice: { email: alice, slack: U01ALICE }')).message).toBe('policy.yaml:3: identities.alice.email: must be an email address');
  });

  test('the same channel id on two identities', () => {
    expect(errorOf(withLine(4, '  bob: { slack: U01ALICE }')).message).toBe('policy.yaml:4: identities.bob.slack: U01ALICE is already the slack id of alice');
  });

  test('every issue is reported, one per line, in file order', () => {
    const text = withLine(22, '      timeout: soon').replace('version: 1', 'version: 1\nextra: true');
    const err = errorOf(text.replace('    effect: deny', '    effect: nope'));
    expect(err.issues.map((issue) => `${issue.line}: ${issue.path}`)).toEqual(['2: extra', '16: rules[0].effect', '23: rules[1].review.timeout']);
    expect(err.message.split('\n')).toHaveLength(3);
  });

  test('an empty file, or one that is not a mapping', () => {
    expect(errorOf('').message).toBe('policy.yaml: must be a YAML mapping with at least version and rules');
    expect(errorOf('- a\n').message).toBe('policy.yaml:1: must be a YAML mapping with at least version and rules');
  });

  test('loadPolicyFile names the path, including when it cannot read it', () => {
    const dir = tempDir();
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, withLine(21, '      quorum: 0'));
    expect(() => loadPolicyFile(file)).toThrow(`${file}:21: rules[1].review.quorum: must be at least 1`);
    expect(() => loadPolicyFile(join(dir, 'missing.yaml'))).toThrow(PolicyFileError);
    expect(() => loadPolicyFile(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read policy file: ENOENT/);
  });
});

describe('formatPath', () => {
  test('indexes in brackets, odd keys quoted', () => {
    expect(formatPath(['rules', 1, 'review', 'quorum'])).toBe('rules[1].review.quorum');
    expect(formatPath(['rules', 0, 'match', 'params', 'tags.env', 'equals'])).toBe('rules[0].match.params["tags.env"].equals');
    expect(formatPath(['groups', 'data-owners', 2])).toBe('groups.data-owners[2]');
    expect(formatPath([])).toBe('');
  });
});

/** A temp dir removed after the test. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-policy-'));
  afterEachCleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const afterEachCleanups: (() => void)[] = [];
afterEach(() => afterEachCleanups.splice(0).forEach((cleanup) => cleanup()));
