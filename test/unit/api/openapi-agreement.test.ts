import type { ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { z } from 'zod';
import { actionView, type ViewContext } from '../../../api/action-view';
import { payloadsBody, payloadsToJson } from '../../../api/codec/payloads-json';
import { callbackUrlProblem } from '../../../channels/callback/callback-url';
import * as responses from '../../../api/response-schemas';
import { auditQuery } from '../../../api/routes/audit';
import { cancelBody, createActionBody, decisionBody, listQuery } from '../../../api/schemas';
import { toRecord } from '../../../audit/audit-log';
import { ChainVerifier, sealEvent } from '../../../audit/chain';
import { defaultCatalogue } from '../../../operations/catalogue';
import { AuditEventKind } from '../../../domain/audit-events';
import { ActionStatus, type ActionState } from '../../../domain/types';
import { sampleActionState } from '../../support/action-state';
import { describeErrors, documentOf, DocumentSchemas, everyFeature, requestBodySchema, type OpenApiDocument } from './openapi-support';

const catalogue = defaultCatalogue();
let document: OpenApiDocument;
let schemas: DocumentSchemas;
let createActionRequest: ValidateFunction;

beforeAll(async () => {
  document = await documentOf(everyFeature());
  schemas = new DocumentSchemas(document);
  createActionRequest = schemas.inline(requestBodySchema(document, 'post', '/v1/actions'));
});

/** The JSON body `method path` documents for `status`, compiled. */
function responseValidator(method: string, path: string, status: number): ValidateFunction {
  const schema = document.paths[path]?.[method]?.responses[String(status)]?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method.toUpperCase()} ${path} documents no JSON body for ${status}`);
  return schemas.inline(schema);
}

/**
 * What `POST /v1/actions` accepts before it starts anything: the body schema, the callback URL
 * against the operator's list (empty, as in the document's configuration), then the operation's
 * own params schema.
 */
function apiAccepts(body: unknown): boolean {
  const parsed = createActionBody.safeParse(body);
  if (!parsed.success) return false;
  if (parsed.data.callbackUrl !== undefined && callbackUrlProblem(parsed.data.callbackUrl, [])) return false;
  return catalogue.get(parsed.data.action)?.params.safeParse(parsed.data.params).success ?? false;
}

/** One valid request per catalogue operation; a test checks there is one for each. */
const VALID_REQUESTS: Record<string, Record<string, unknown>> = {
  's3.copyObject': { sourceBucket: 'airlock-source', sourceKey: 'reports/q3.csv', destinationBucket: 'airlock-exports', destinationKey: 'finance/q3.csv' },
  's3.exportPrefix': { sourceBucket: 'airlock-source', sourcePrefix: 'reports/', destinationBucket: 'airlock-exports', destinationPrefix: 'finance/' },
  'ec2.runInstances': {
    accountId: '123456789012',
    region: 'eu-west-1',
    imageId: 'ami-0123456789abcdef0',
    instanceType: 't3.micro',
    subnetId: 'subnet-0123abcd',
    count: 2,
    securityGroupIds: ['sg-0123abcd'],
    tags: { team: 'data', purpose: 'batch run' },
  },
  'iam.putRolePolicy': {
    accountId: '123456789012',
    roleName: 'etl-runner',
    rolePath: '/service-role/',
    policyName: 'read-reports',
    policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject'], Resource: 'arn:aws:s3:::airlock-source/reports/*' }] },
  },
  'iam.attachRolePolicy': { accountId: '123456789012', roleName: 'etl-runner', policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
  'iam.detachRolePolicy': { accountId: '123456789012', roleName: 'etl-runner', policyArn: 'arn:aws:iam::123456789012:policy/team/reports' },
  's3.putBucketPolicy': {
    bucket: 'airlock-exports',
    policy: {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::airlock-exports/partner/*' },
      ],
    },
  },
  'dynamodb.exportTableToPointInTime': {
    tableName: 'orders',
    accountId: '123456789012',
    region: 'eu-west-1',
    s3Bucket: 'airlock-exports',
    s3Prefix: 'orders/2026-12',
  },
  'lambda.updateFunctionCode': {
    functionName: 'orders-api',
    accountId: '123456789012',
    region: 'eu-west-1',
    s3Bucket: 'build-artifacts',
    s3Key: 'orders-api/1.zip',
  },
  'aws.call': {
    service: 'dynamodb',
    operation: 'DeleteItem',
    input: { TableName: 'orders', Key: { pk: { S: 'order-1' } } },
    accountId: '123456789012',
    region: 'eu-west-1',
  },
};

function request(action: string, params: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { action, params, justification: 'Finance needs the report for the board pack', ...extra };
}

function documentAccepts(body: unknown): boolean {
  return createActionRequest(body) === true;
}

/**
 * Requests the API validates agree with the document: what the API accepts, the document accepts,
 * and what the document refuses, the API refuses. (The API checks more than JSON Schema can say,
 * such as IAM wildcards in object keys, so the document may accept what the API then refuses.)
 */
describe('OpenAPI document agrees with the API on requests', () => {
  it('has a valid example for every catalogue operation', () => {
    expect(Object.keys(VALID_REQUESTS).sort()).toEqual(catalogue.names());
  });

  it.each(Object.entries(VALID_REQUESTS))('accepts a valid %s request, as the API does', (action, params) => {
    const body = request(action, params, { context: { ticket: 'FIN-123', nested: [1, { ok: true }] }, idempotencyKey: 'k-1' });
    expect(apiAccepts(body)).toBe(true);
    expect([documentAccepts(body), describeErrors(createActionRequest.errors)]).toEqual([true, '']);
  });

  const refused: [string, unknown][] = [
    ['an unknown action', request('s3.deleteBucket', VALID_REQUESTS['s3.copyObject'])],
    ['a param of the wrong type', request('s3.copyObject', { ...VALID_REQUESTS['s3.copyObject'], sourceBucket: 7 })],
    ['a missing param', request('s3.copyObject', { sourceBucket: 'airlock-source', sourceKey: 'a.csv', destinationBucket: 'airlock-exports' })],
    ['an unknown param', request('s3.copyObject', { ...VALID_REQUESTS['s3.copyObject'], acl: 'public-read' })],
    ["another action's params", request('s3.copyObject', VALID_REQUESTS['s3.exportPrefix'])],
    ['a bucket name with capitals', request('s3.exportPrefix', { ...VALID_REQUESTS['s3.exportPrefix'], destinationBucket: 'Exports' })],
    ['too many instances', request('ec2.runInstances', { ...VALID_REQUESTS['ec2.runInstances'], count: 21 })],
    ['a fractional count', request('ec2.runInstances', { ...VALID_REQUESTS['ec2.runInstances'], count: 1.5 })],
    ['a tag value that is a number', request('ec2.runInstances', { ...VALID_REQUESTS['ec2.runInstances'], tags: { team: 7 } })],
    // Issue 17: the document said `tags` could be anything (an `unknown` piped into the record), so `{}` and `null` looked valid.
    ['empty tags', request('ec2.runInstances', { ...VALID_REQUESTS['ec2.runInstances'], tags: {} })],
    ['tags that are null', request('ec2.runInstances', { ...VALID_REQUESTS['ec2.runInstances'], tags: null })],
    ['a tag key AWS reserves', request('ec2.runInstances', { ...VALID_REQUESTS['ec2.runInstances'], tags: { 'AWS:owner': 'x' } })],
    ['a tag key `__proto__`', request('ec2.runInstances', { ...VALID_REQUESTS['ec2.runInstances'], tags: JSON.parse('{"__proto__":"x"}') as unknown })],
    [
      '21 tags',
      request('ec2.runInstances', { ...VALID_REQUESTS['ec2.runInstances'], tags: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }),
    ],
    [
      'a policy statement with an unknown effect',
      request('iam.putRolePolicy', {
        ...VALID_REQUESTS['iam.putRolePolicy'],
        policyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Maybe', Action: 's3:GetObject', Resource: '*' }] },
      }),
    ],
    ['a short justification', request('s3.copyObject', VALID_REQUESTS['s3.copyObject'], { justification: 'because' })],
    ['an unknown top-level field', request('s3.copyObject', VALID_REQUESTS['s3.copyObject'], { requester: 'someone-else' })],
    ['params that are not an object', request('s3.copyObject', ['airlock-source'])],
    ['no params', { action: 's3.copyObject', justification: 'Finance needs the report for the board pack' }],
    // The document's configuration allows no callback host, so any callbackUrl, an empty one too, is refused.
    ['a callback URL where none is allowed', request('s3.copyObject', VALID_REQUESTS['s3.copyObject'], { callbackUrl: 'https://agents.example.com/hook' })],
    ['an empty callback URL', request('s3.copyObject', VALID_REQUESTS['s3.copyObject'], { callbackUrl: '' })],
  ];

  it.each(refused)('refuses %s, as the API does', (_name, body) => {
    expect(apiAccepts(body)).toBe(false);
    expect(documentAccepts(body)).toBe(false);
  });

  // The justification is trimmed, then needs 10 characters (code points, as both count them).
  it.each([
    'Finance needs it',
    '  Finance needs it  ',
    'ten chars!',
    ' ten chars! ',
    'nine char',
    '          ',
    '😀'.repeat(10),
    '😀'.repeat(5),
    `x${' '.repeat(8)}y`,
    'x'.repeat(2001),
  ])('agrees on the justification %j', (justification) => {
    const body = request('s3.copyObject', VALID_REQUESTS['s3.copyObject'], { justification });
    expect(documentAccepts(body)).toBe(apiAccepts(body));
  });

  it('never refuses a request the API accepts, however a valid one is changed', () => {
    // Astral characters included: zod and JSON Schema must both count lengths in code points, not UTF-16 units.
    const text = fc.string({ unit: fc.constantFrom(...'aZ09-_./:* é€\u00a0😀'), maxLength: 70 });
    const value = fc.oneof(
      text,
      fc.integer({ min: -2, max: 30 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(text, { maxLength: 3 }),
      fc.dictionary(text, text, { maxKeys: 2 }),
    );
    const change = fc.record({
      inParams: fc.boolean(),
      key: fc.oneof(text, fc.constantFrom('action', 'justification', 'context', 'callbackUrl', 'sourceBucket', 'count', 'tags', 'policyDocument', 'roleName')),
      remove: fc.boolean(),
      value,
    });
    const seen = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(VALID_REQUESTS)), fc.array(change, { minLength: 1, maxLength: 3 }), (action, changes) => {
        const body = structuredClone(request(action, VALID_REQUESTS[action])) as Record<string, unknown> & { params: Record<string, unknown> };
        for (const { inParams, key, remove, value: newValue } of changes) {
          const target = inParams ? body.params : body;
          // Defined, not assigned: `__proto__` must become a key, as JSON.parse makes it, not a prototype.
          if (remove) delete target[key];
          else Object.defineProperty(target, key, { value: newValue, enumerable: true, writable: true, configurable: true });
        }
        const accepted = apiAccepts(body);
        seen[accepted ? 'accepted' : 'refused'] += 1;
        if (accepted) expect([body, describeErrors(documentAccepts(body) ? [] : createActionRequest.errors)]).toEqual([body, '']);
      }),
      { numRuns: 500 },
    );
    // Both kinds of change happened, so the property was not checked on one side only.
    expect(seen.accepted).toBeGreaterThan(20);
    expect(seen.refused).toBeGreaterThan(20);
  });

  it.each([
    [{ decision: 'approve' }],
    [{ decision: 'approve', comment: 'fine' }],
    [{ decision: 'reject', comment: 'Not for the board' }],
    [{ decision: 'reject' }],
    [{ decision: 'reject', comment: '' }],
    [{ decision: 'reject', comment: '   ' }],
    [{ decision: 'maybe' }],
    [{ decision: 'approve', reviewer: 'alice' }],
    [{ decision: 'approve', comment: 'x'.repeat(2001) }],
  ])('agrees on the decision %j', (body) => {
    const documented = schemas.inline(requestBodySchema(document, 'post', '/v1/actions/{id}/decisions'));
    expect(documented(body)).toBe(decisionBody.safeParse(body).success);
  });

  it.each([[{}], [{ reason: 'not needed' }], [{ reason: 7 }], [{ reason: 'x'.repeat(2001) }], [{ why: 'no' }]])('agrees on the cancel %j', (body) => {
    const documented = schemas.inline(requestBodySchema(document, 'post', '/v1/actions/{id}/cancel'));
    expect(documented(body)).toBe(cancelBody.safeParse(body).success);
  });

  // Query strings arrive as text: the document's types apply to the value read as JSON would be.
  const queries: [string, Record<string, string>, z.ZodType][] = [
    ['GET /v1/actions', { status: 'pending_review', action: 's3.copyObject', limit: '10' }, listQuery],
    ['GET /v1/actions', { limit: '0' }, listQuery],
    ['GET /v1/actions', { limit: 'ten' }, listQuery],
    ['GET /v1/actions', { limit: '2.5' }, listQuery],
    ['GET /v1/actions', { status: 'waiting' }, listQuery],
    ['GET /v1/audit', { from: '2026-11-01T00:00:00Z', to: '2026-11-30T23:59:59.999+02:00', actor: 'alice' }, auditQuery],
    ['GET /v1/audit', { from: 'yesterday' }, auditQuery],
    ['GET /v1/audit', { action: 'action-s3.copyObject-aaaaaaaaaaaaaaaa' }, auditQuery],
    ['GET /v1/audit', { action: 'not an id' }, auditQuery],
  ];
  it.each(queries)('agrees on the query of %s: %j', (route, query, zodQuery) => {
    const coercing = new DocumentSchemas(document, { coerceTypes: true });
    const [method, path] = route.split(' ') as [string, string];
    const parameters = (document.paths[path]?.[method.toLowerCase()]?.parameters ?? []).filter((p) => p.in === 'query');
    const validate = coercing.inline({
      type: 'object',
      properties: Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema])),
      required: parameters.filter((parameter) => parameter.required).map((parameter) => parameter.name),
    });
    expect(validate({ ...query })).toBe(zodQuery.safeParse(query).success);
  });
});

/** Responses built by the code the routes use validate against the document and parse with the strict zod response schemas. */
describe('OpenAPI document agrees with the API on responses', () => {
  const context: ViewContext = { namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233' };

  /** `route` is a component's name or `METHOD path status`, whose documented body is checked. */
  function expectValid(route: string, zodSchema: z.ZodType, value: unknown): void {
    const [method, path, status] = route.split(' ');
    const validate = path ? responseValidator((method ?? '').toLowerCase(), path, Number(status)) : schemas.component(route);
    expect([route, describeErrors(validate(value) ? [] : validate.errors)]).toEqual([route, '']);
    const parsed = zodSchema.safeParse(value);
    expect([route, parsed.success ? '' : z.prettifyError(parsed.error)]).toEqual([route, '']);
  }

  it.each([
    ['a pending review', sampleActionState()],
    ['a finished action with every field set', finishedState()],
    ['an action still evaluating', evaluatingState()],
    ['an action whose preview failed', sampleActionState({ preview: { error: { type: 'AccessDenied', message: 'no' } } })],
  ])('describes the view of %s', (_name, state) => {
    const view = actionView(state, context);
    expectValid('ActionView', responses.actionView, view);
    expectValid('ActionDetail', responses.actionDetail, { ...view, live: true, progress: { copied: 3, skipped: 0, startAfter: 'a/b.csv', attempt: 2 } });
    expectValid('ActionDetail', responses.actionDetail, { ...view, live: false, progress: null });
  });

  it('shows a message ref as { channel, ts } whether the workflow recorded it channel-neutral or in the old shape', () => {
    const sent = { target: 'teams:19:x', status: 'sent' as const, at: '2026-11-21T13:00:01.000Z' };
    const state = sampleActionState({
      notifications: [
        { ...sent, ref: { conversation: '19:x', messageId: 'a-1' } },
        { ...sent, ref: { channel: '19:x', ts: 'a-1' } },
      ],
    });
    const view = actionView(state, context);
    expect(view.notifications.map((record) => record.ref)).toEqual([
      { channel: '19:x', ts: 'a-1' },
      { channel: '19:x', ts: 'a-1' },
    ]);
    expectValid('ActionView', responses.actionView, view);
  });

  it('describes audit records and the chain report', () => {
    const row = sealEvent(
      {
        eventId: 'e-1',
        kind: AuditEventKind.VoteRecorded,
        actionId: 'action-s3.copyObject-aaaaaaaaaaaaaaaa',
        actor: 'alice',
        occurredAt: '2026-11-21T13:05:00.000Z',
        data: { verdict: 'approve' },
      },
      undefined,
      '2026-11-21T13:05:00.100Z',
    );
    expectValid('AuditRecord', responses.auditRecord, toRecord(row));
    expectValid('GET /v1/actions/{id}/lineage 200', responses.actionLineage, { actionId: row.actionId, events: [toRecord(row)] });
    const verifier = new ChainVerifier();
    verifier.push(row);
    expectValid('GET /v1/audit/verify 200', responses.auditVerifyReport, { store: 'sqlite', ...verifier.report() });
    const broken = new ChainVerifier();
    broken.push({ ...row, seq: 2 });
    expectValid('GET /v1/audit/verify 200', responses.auditVerifyReport, { store: 'postgres', ...broken.report() });
  });

  it('describes codec payloads as the codec writes them', () => {
    const payloads = payloadsToJson([{ metadata: { encoding: Buffer.from('binary/encrypted') }, data: Buffer.from([1, 2, 3]) }]);
    expectValid('POST /codec/decode 200', payloadsBody, payloads);
  });
});

/** A state with every optional part present: review with escalation and reminders, votes, result, error, notifications. */
function finishedState(): ActionState {
  const base = sampleActionState();
  return {
    ...base,
    status: ActionStatus.Succeeded,
    request: { ...base.request, context: { ticket: 'FIN-123' }, callbackUrl: 'https://127.0.0.1/hook', origin: { ip: '127.0.0.1', userAgent: 'curl' } },
    policy: {
      ...base.policy!,
      review: {
        ...base.policy!.review!,
        remindBeforeMs: [3_600_000],
        escalation: { afterMs: 7_200_000, approverGroups: ['security-oncall'], eligibleApprovers: ['dave'], channels: ['api'] },
      },
    },
    preview: { facts: { sourceBytes: 1024, destinationExists: false, sourceContentType: null }, notes: ['copies 1 kB'], warnings: [], detail: 'diff' },
    votes: [
      { reviewer: 'alice', verdict: 'approve', channel: 'api', at: '2026-11-21T13:10:00.000Z' },
      { reviewer: 'dave', verdict: 'approve', comment: 'fine', channel: 'slack', at: '2026-11-21T13:20:00.000Z' },
    ],
    reminders: [{ at: '2026-11-21T13:00:00.000Z', pending: ['bob'] }],
    escalation: { at: '2026-11-21T13:15:00.000Z', approverGroups: ['security-oncall'], addedApprovers: ['dave'] },
    cancellation: { by: 'etl-bot', reason: 'changed plans', at: '2026-11-21T13:12:00.000Z' },
    result: {
      summary: 'copy s3://a/k to s3://b/k',
      outputs: { destination: 's3://b/k', bytes: 1024, overwritten: false },
      session: { roleArn: 'arn:aws:iam::123456789012:role/airlock', roleSessionName: 'action-s3.copyObject-aaaaaaaaaaaaaaaa', sourceIdentity: 'etl-bot' },
      completedAt: '2026-11-21T13:21:00.000Z',
    },
    error: { type: 'None', message: 'a test sets every field' },
    notifications: [
      { target: 'slack:#data-approvals', status: 'sent', ref: { channel: 'C1', ts: '1.2' }, at: '2026-11-21T13:00:01.000Z' },
      {
        target: 'slack:#data-approvals',
        status: 'failed',
        error: { type: 'SlackError', message: 'ratelimited' },
        at: '2026-11-21T13:00:02.000Z',
        purpose: 'reminder',
      },
      { target: 'callback', status: 'sent', at: '2026-11-21T13:21:01.000Z' },
    ],
    closedAt: '2026-11-21T13:21:00.000Z',
  };
}

/** An action still evaluating: no policy decision, operation or deadline yet. */
function evaluatingState(): ActionState {
  const { policy: _policy, operation: _operation, deadline: _deadline, ...base } = sampleActionState();
  return { ...base, status: ActionStatus.Evaluating };
}
