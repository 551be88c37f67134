import fc from 'fast-check';
import { z } from 'zod';
import { createPolicyActivities } from '../../../activities/policy';
import { catalogueForAgents } from '../../../api/catalogue-view';
import type { JsonObject, PolicyEffect, ToolAnnotations } from '../../../domain/types';
import { Catalogue, defaultCatalogue } from '../../../operations/catalogue';
import type { Operation } from '../../../operations/types';
import {
  evaluatePolicy,
  evaluatePolicyBeforePreview,
  parsePolicy,
  PolicyFileError,
  reviewOutlook,
  type EvaluationRequest,
  type LoadedPolicy,
  type ReviewOutlook,
} from '../../../policy';

/** The docs' example: filesystem reads allowed, any destructive tool reviewed, built-in copies allowed after them. */
const policy = parsePolicy(
  `version: 1
groups:
  ops: [alice, bob]
rules:
  - id: allow-fs-reads
    effect: allow
    match:
      action: mcp.fs.*
      annotations: { readOnlyHint: true }
  - id: review-destructive-tools
    effect: review
    match:
      action: mcp.*
      annotations: { destructiveHint: true }
    review: { approvers: [ops] }
  - id: allow-idempotent-closed-world
    effect: allow
    match:
      action: mcp.*
      annotations: { idempotentHint: true, openWorldHint: false }
  - id: allow-copies
    effect: allow
    match: { action: "*" }
default: { effect: deny }
`,
  'annotations.yaml',
);

const request = (action: string, annotations?: ToolAnnotations, preview?: JsonObject): EvaluationRequest => ({
  action,
  params: {},
  requester: { id: 'etl-bot', source: 'api' },
  ...(annotations ? { annotations } : {}),
  ...(preview ? { preview } : {}),
});

const ruleFor = (loaded: LoadedPolicy, action: string, annotations?: ToolAnnotations): string => evaluatePolicy(loaded, request(action, annotations)).ruleId;

describe('policy rules on MCP tool annotations', () => {
  it('a rule matches when the hint equals the tool’s, and not when it differs', () => {
    expect(ruleFor(policy, 'mcp.fs.read_file', { readOnlyHint: true })).toBe('allow-fs-reads');
    expect(ruleFor(policy, 'mcp.fs.write_file', { readOnlyHint: false, destructiveHint: true })).toBe('review-destructive-tools');
    expect(ruleFor(policy, 'mcp.fs.write_file', { readOnlyHint: false, destructiveHint: false })).toBe('allow-copies');
  });

  it('an absent hint takes MCP’s default: readOnly false, destructive true, idempotent false, openWorld true', () => {
    const only = (hint: string, value: boolean) =>
      parsePolicy(`version: 1\nrules:\n  - id: r\n    match: { action: "mcp.*", annotations: { ${hint}: ${value} } }\n    effect: allow\n`, 'one-hint.yaml');
    const defaults: [string, boolean][] = [
      ['readOnlyHint', false],
      ['destructiveHint', true],
      ['idempotentHint', false],
      ['openWorldHint', true],
    ];
    for (const [hint, value] of defaults) {
      expect({ hint, value, ruleId: ruleFor(only(hint, value), 'mcp.s.t', {}) }).toEqual({ hint, value, ruleId: 'r' });
      expect({ hint, value: !value, ruleId: ruleFor(only(hint, !value), 'mcp.s.t', {}) }).toEqual({ hint, value: !value, ruleId: 'default' });
      // A declared hint wins over the default.
      expect({ hint, ruleId: ruleFor(only(hint, !value), 'mcp.s.t', { [hint]: !value }) }).toEqual({ hint, ruleId: 'r' });
    }
    // A tool with no annotations at all is destructive and open-world, so it is reviewed.
    expect(ruleFor(policy, 'mcp.git.push', {})).toBe('review-destructive-tools');
    // Read-only: MCP gives destructiveHint meaning only for tools that write, so it is not destructive, whatever it declares.
    expect(ruleFor(policy, 'mcp.git.log', { readOnlyHint: true })).toBe('allow-copies');
    expect(ruleFor(policy, 'mcp.git.log', { readOnlyHint: true, destructiveHint: true })).toBe('allow-copies');
    // ...and repeating it is harmless, so a rule on idempotentHint: true matches it.
    expect(ruleFor(policy, 'mcp.git.log', { readOnlyHint: true, openWorldHint: false })).toBe('allow-idempotent-closed-world');
  });

  it('every hint the rule gives must hold', () => {
    const base = { destructiveHint: false };
    expect(ruleFor(policy, 'mcp.db.upsert', { ...base, idempotentHint: true, openWorldHint: false })).toBe('allow-idempotent-closed-world');
    expect(ruleFor(policy, 'mcp.db.upsert', { ...base, idempotentHint: true })).toBe('allow-copies');
    expect(ruleFor(policy, 'mcp.db.upsert', { ...base, openWorldHint: false })).toBe('allow-copies');
  });

  it('a hint that is not a boolean counts as absent (its default applies)', () => {
    const odd = { readOnlyHint: 'yes', destructiveHint: null } as unknown as ToolAnnotations;
    expect(ruleFor(policy, 'mcp.fs.read_file', odd)).toBe('review-destructive-tools');
  });

  it('a request without annotations (a built-in operation) never matches a rule on annotations', () => {
    const anyAction = parsePolicy(
      `version: 1
rules:
  - id: deny-destructive
    match: { action: "*", annotations: { destructiveHint: true } }
    effect: deny
  - id: deny-not-read-only
    match: { action: "*", annotations: { readOnlyHint: false } }
    effect: deny
default: { effect: allow }
`,
      'any.yaml',
    );
    expect(ruleFor(anyAction, 's3.copyObject')).toBe('default');
    expect(ruleFor(anyAction, 'mcp.fs.write_file')).toBe('default');
    expect(ruleFor(anyAction, 'mcp.fs.write_file', {})).toBe('deny-destructive');
    expect(ruleFor(anyAction, 'mcp.fs.write_file', { destructiveHint: false })).toBe('deny-not-read-only');
  });

  it('keeps rule order: a deny before an annotations allow wins, and an annotations rule after an unconditional one is never reached', () => {
    const ordered = parsePolicy(
      `version: 1
groups:
  ops: [alice]
rules:
  - id: deny-secrets-server
    match: { action: mcp.secrets.* }
    effect: deny
  - id: allow-reads
    match: { action: "mcp.*", annotations: { readOnlyHint: true } }
    effect: allow
  - id: review-fs
    match: { action: mcp.fs.* }
    effect: review
    review: { approvers: [ops] }
  - id: allow-fs-reads-too-late
    match: { action: mcp.fs.*, annotations: { readOnlyHint: true } }
    effect: allow
default: { effect: deny }
`,
      'ordered.yaml',
    );
    expect(ruleFor(ordered, 'mcp.secrets.get', { readOnlyHint: true })).toBe('deny-secrets-server');
    expect(ruleFor(ordered, 'mcp.fs.read_file', { readOnlyHint: true })).toBe('allow-reads');
    expect(ruleFor(ordered, 'mcp.fs.write_file', { readOnlyHint: false })).toBe('review-fs');
    expect(ruleFor(ordered, 'mcp.other.write', { readOnlyHint: false })).toBe('default');
    expect(evaluatePolicy(ordered, request('mcp.fs.write_file', {}))).toMatchObject({ effect: 'review', review: { eligibleApprovers: ['alice'] } });
  });

  it('combines with the other matchers: action, requester and params must hold too', () => {
    const combined = parsePolicy(
      `version: 1
rules:
  - id: allow-bot-reads-of-docs
    match: { action: mcp.fs.read_file, requester: etl-bot, params: { path: { matches: "docs/*" } }, annotations: { readOnlyHint: true } }
    effect: allow
`,
      'combined.yaml',
    );
    const read = (requester: string, path: string, action = 'mcp.fs.read_file') =>
      evaluatePolicy(combined, { action, params: { path }, requester: { id: requester, source: 'api' }, annotations: { readOnlyHint: true } }).ruleId;
    expect(read('etl-bot', 'docs/a.md')).toBe('allow-bot-reads-of-docs');
    expect(read('other-bot', 'docs/a.md')).toBe('default');
    expect(read('etl-bot', 'secrets/a')).toBe('default');
    expect(read('etl-bot', 'docs/a.md', 'mcp.fs.list')).toBe('default');
  });
});

describe('rules on annotations before the preview', () => {
  const withPreview = parsePolicy(
    `version: 1
rules:
  - id: deny-open-world
    match: { action: "mcp.*", annotations: { openWorldHint: true } }
    effect: deny
  - id: allow-small
    match: { action: "mcp.*", preview: { bytes: { lt: 100 } } }
    effect: allow
  - id: allow-read-only
    match: { action: "mcp.*", annotations: { readOnlyHint: true } }
    effect: allow
default: { effect: deny }
`,
    'preview.yaml',
  );

  it('are decided without the preview: annotations are known before it', () => {
    expect(evaluatePolicyBeforePreview(policy, request('mcp.fs.read_file', { readOnlyHint: true }))).toMatchObject({
      effect: 'allow',
      ruleId: 'allow-fs-reads',
    });
    expect(evaluatePolicyBeforePreview(policy, request('mcp.git.push', {}))).toMatchObject({ effect: 'review', ruleId: 'review-destructive-tools' });
    expect(evaluatePolicyBeforePreview(withPreview, request('mcp.web.fetch', { readOnlyHint: true }))).toMatchObject({
      effect: 'deny',
      ruleId: 'deny-open-world',
    });
  });

  it('an annotations rule that does not match does not stop the walk; a preview rule reached next asks for the preview', () => {
    expect(evaluatePolicyBeforePreview(withPreview, request('mcp.fs.read_file', { readOnlyHint: true, openWorldHint: false }))).toBeUndefined();
    expect(evaluatePolicy(withPreview, request('mcp.fs.read_file', { readOnlyHint: true, openWorldHint: false }, { bytes: 500 })).ruleId).toBe(
      'allow-read-only',
    );
  });

  it('gives the same answer in two passes as in one', () => {
    const toolAnnotations = fc.record(
      { readOnlyHint: fc.boolean(), destructiveHint: fc.boolean(), idempotentHint: fc.boolean(), openWorldHint: fc.boolean() },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('mcp.fs.read_file', 'mcp.web.fetch', 's3.copyObject'),
        fc.option(toolAnnotations, { nil: undefined }),
        fc.dictionary(fc.constant('bytes'), fc.integer({ min: 0, max: 200 })),
        (action, annotations, facts) => {
          for (const loaded of [policy, withPreview]) {
            const early = evaluatePolicyBeforePreview(loaded, request(action, annotations));
            if (early) expect(evaluatePolicy(loaded, request(action, annotations, facts))).toEqual(early);
          }
        },
      ),
    );
  });
});

describe('reviewOutlook with rules on annotations', () => {
  it('with the tool’s annotations, decides an annotations-only rule exactly', () => {
    expect(reviewOutlook(policy, 'mcp.fs.read_file', 'etl-bot', { readOnlyHint: true })).toBe('not_required');
    expect(reviewOutlook(policy, 'mcp.fs.write_file', 'etl-bot', { destructiveHint: true })).toBe('required');
    expect(reviewOutlook(policy, 'mcp.git.push', 'etl-bot', {})).toBe('required');
    expect(reviewOutlook(policy, 'mcp.db.upsert', 'etl-bot', { destructiveHint: false })).toBe('not_required');
    // alice is one of two approvers and the quorum is 1: she still has bob.
    expect(reviewOutlook(policy, 'mcp.git.push', 'alice', {})).toBe('required');
  });

  it('without annotations, skips rules on annotations, as the evaluator does', () => {
    expect(reviewOutlook(policy, 'mcp.git.push', 'etl-bot')).toBe('not_required');
    expect(reviewOutlook(policy, 's3.copyObject', 'etl-bot')).toBe('not_required');
    const onlyAnnotations = parsePolicy(
      `version: 1\nrules:\n  - id: r\n    match: { action: "*", annotations: { readOnlyHint: true } }\n    effect: allow\ndefault: { effect: deny }\n`,
      'only.yaml',
    );
    expect(reviewOutlook(onlyAnnotations, 's3.copyObject', 'etl-bot')).toBe('denied');
    expect(reviewOutlook(onlyAnnotations, 'mcp.fs.read_file', 'etl-bot', { readOnlyHint: true })).toBe('not_required');
    expect(reviewOutlook(onlyAnnotations, 'mcp.fs.write_file', 'etl-bot', { readOnlyHint: false })).toBe('denied');
  });

  it('a matching annotations rule with params is still conditional on the params', () => {
    const withParams = parsePolicy(
      `version: 1
rules:
  - id: allow-doc-reads
    match: { action: "mcp.*", params: { path: { matches: "docs/*" } }, annotations: { readOnlyHint: true } }
    effect: allow
default: { effect: deny }
`,
      'params.yaml',
    );
    expect(reviewOutlook(withParams, 'mcp.fs.read_file', 'etl-bot', { readOnlyHint: true })).toBe('depends_on_params');
    expect(reviewOutlook(withParams, 'mcp.fs.write_file', 'etl-bot', { readOnlyHint: false })).toBe('denied');
  });

  it('agrees with evaluatePolicy, whatever the annotations', () => {
    const PROMISED: Partial<Record<ReviewOutlook, PolicyEffect>> = { required: 'review', not_required: 'allow', denied: 'deny' };
    const toolAnnotations = fc.record(
      { readOnlyHint: fc.boolean(), destructiveHint: fc.boolean(), idempotentHint: fc.boolean(), openWorldHint: fc.boolean() },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('mcp.fs.read_file', 'mcp.git.push', 's3.copyObject'),
        fc.constantFrom('etl-bot', 'alice'),
        fc.option(toolAnnotations, { nil: undefined }),
        (action, requester, annotations) => {
          const outlook = reviewOutlook(policy, action, requester, annotations);
          const effect = evaluatePolicy(policy, { ...request(action, annotations), requester: { id: requester, source: 'api' } }).effect;
          expect({ action, annotations, effect }).toEqual({ action, annotations, effect: PROMISED[outlook] });
        },
      ),
    );
  });
});

describe('the policy activities and the agents’ catalogue use the operation’s annotations', () => {
  /** An MCP gateway tool as the catalogue holds it: no AWS session, annotations from the gateway. */
  const tool = (name: string, annotations: ToolAnnotations): Operation<unknown> => ({
    name: `mcp.fs.${name}`,
    title: name,
    description: `fs ${name}`,
    params: z.object({}).loose(),
    idempotent: false,
    summarize: () => `fs ${name}`,
    sessionPolicy: () => ({ Version: '2012-10-17', Statement: [] }),
    previewPolicy: () => ({ Version: '2012-10-17', Statement: [] }),
    execute: () => Promise.reject(new Error('not run in this test')),
    preview: () => Promise.reject(new Error('not run in this test')),
    tool: { server: 'fs', name, annotations },
  });
  const catalogue = new Catalogue([
    tool('read_file', { readOnlyHint: true }),
    tool('write_file', { readOnlyHint: false }),
    ...defaultCatalogue()
      .list()
      .filter((operation) => operation.name === 's3.copyObject'),
  ]);
  const activities = createPolicyActivities({ policy: () => policy, catalogue, aws: { partition: 'aws' } });
  const input = (action: string, params: JsonObject = {}) => ({ action, params, requester: { id: 'etl-bot', source: 'api' as const } });

  it('an MCP tool is decided on its annotations from the catalogue, before any preview', async () => {
    await expect(activities.evaluatePolicyBeforePreview(input('mcp.fs.read_file'))).resolves.toMatchObject({
      needsPreview: false,
      decision: { ruleId: 'allow-fs-reads' },
    });
    await expect(activities.evaluatePolicy(input('mcp.fs.write_file'))).resolves.toMatchObject({ decision: { ruleId: 'review-destructive-tools' } });
  });

  it('a built-in operation has no annotations and skips such rules', async () => {
    const copy = { sourceBucket: 'src-bucket', sourceKey: 'k', destinationBucket: 'dst-bucket', destinationKey: 'k' };
    await expect(activities.evaluatePolicy(input('s3.copyObject', copy))).resolves.toMatchObject({ decision: { ruleId: 'allow-copies' } });
  });

  it('the catalogue shows each tool’s review outlook from its annotations', () => {
    const review = Object.fromEntries(catalogueForAgents(catalogue)(policy, 'etl-bot').map((entry) => [entry.name, entry.review]));
    expect(review).toEqual({ 'mcp.fs.read_file': 'not_required', 'mcp.fs.write_file': 'required', 's3.copyObject': 'not_required' });
  });
});

describe('annotations matcher load errors name file, line and field', () => {
  const load = (annotations: string) =>
    parsePolicy(`version: 1\nrules:\n  - id: r\n    match:\n      action: "mcp.*"\n      annotations: ${annotations}\n    effect: allow\n`, 'bad.yaml');
  const messageOf = (annotations: string): string => {
    try {
      load(annotations);
    } catch (err) {
      if (err instanceof PolicyFileError) return err.message;
      throw err;
    }
    throw new Error('the policy was accepted');
  };

  it('accepts each hint alone', () => {
    for (const hint of ['readOnlyHint', 'destructiveHint', 'idempotentHint', 'openWorldHint']) {
      expect(load(`{ ${hint}: false }`).document.rules[0]?.match.annotations).toEqual({ [hint]: false });
    }
  });

  it('refuses an unknown key (title is not matched on) with its line', () => {
    expect(messageOf('{ readOnly: true }')).toMatch(/^bad\.yaml:6: rules\[0\]\.match\.annotations\.readOnly: unknown field/);
    expect(messageOf('{ title: Read file }')).toMatch(/^bad\.yaml:6: rules\[0\]\.match\.annotations\.title: unknown field/);
  });

  it('refuses a hint that is not a boolean', () => {
    expect(messageOf('{ readOnlyHint: "yes" }')).toBe('bad.yaml:6: rules[0].match.annotations.readOnlyHint: must be true or false');
    expect(messageOf('{ destructiveHint: 1 }')).toBe('bad.yaml:6: rules[0].match.annotations.destructiveHint: must be true or false');
  });

  it('refuses an empty mapping, and a value that is not a mapping', () => {
    expect(messageOf('{}')).toBe(
      'bad.yaml:6: rules[0].match.annotations: must have at least one of readOnlyHint, destructiveHint, idempotentHint, openWorldHint',
    );
    expect(messageOf('readOnlyHint')).toBe(
      'bad.yaml:6: rules[0].match.annotations: must be a mapping with readOnlyHint, destructiveHint, idempotentHint and/or openWorldHint',
    );
  });
});
