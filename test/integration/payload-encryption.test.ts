import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { WorkflowBundle } from '@temporalio/worker';
import { ENCRYPTED_ENCODING } from '../../codec/aes-gcm-codec';
import { newKeyEntry, parseKeyRing } from '../../codec/keys';
import { toolPaths } from '../../scripts/lib/tools';
import { DecisionTimeAttribute, StatusAttribute } from '../../workflows/search-attributes';
import { exportedHistoryJson, readableHistory } from '../support/history';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { putObject, readObject, requiredEnv, testS3 } from '../support/test-aws';

const UI_ORIGIN = 'http://localhost:8233';

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

/** Every payload (`{ metadata, data }`) in an exported history with where it sits, as the codec protocol carries them. */
function payloadsIn(exportedJson: string): (JsonPayload & { path: string })[] {
  const found: (JsonPayload & { path: string })[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) return node.forEach((item, index) => walk(item, `${path}[${index}]`));
    if (node && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (typeof record.data === 'string' && record.metadata && typeof record.metadata === 'object') {
        found.push({ metadata: record.metadata as Record<string, string>, data: record.data, path });
      }
      Object.entries(record).forEach(([key, value]) => walk(value, `${path}.${key}`));
    }
  };
  walk(JSON.parse(exportedJson), '');
  return found;
}

const encodingOf = (payload: JsonPayload): string => Buffer.from(payload.metadata?.encoding ?? '', 'base64').toString('utf8');

const decodedText = (payloads: JsonPayload[]): string => payloads.map((payload) => Buffer.from(payload.data ?? '', 'base64').toString('utf8')).join('\n');

/**
 * With AIRLOCK_CODEC_KEYS set, Temporal stores ciphertext: params, previews, results, the static
 * summary and failure messages. Operators read plaintext only through the codec endpoint, which
 * refuses everyone else.
 */
describe('payload encryption and the codec endpoint', () => {
  let bundle: WorkflowBundle;
  let stack: Stack;
  const s3 = testS3();
  const keys = parseKeyRing(`${newKeyEntry('k2')},${newKeyEntry('k1')}`, 'test');
  // A value that must never be readable in Temporal: part of the object key the agent names.
  const marker = `confidential-${randomUUID()}`;
  let actionId: string;
  let exported: string;

  beforeAll(async () => {
    bundle = await bundleWorkflows({ encrypted: true });
    stack = await startStack(bundle, { codecKeys: keys, codecCorsOrigins: [UI_ORIGIN] });
    const sourceKey = `src/${marker}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${marker}\n`);
    const created = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: 'airlock-exports', destinationKey: `reports/${marker}.csv` },
      justification: `Export for ${marker}`,
    });
    expect(created.statusCode).toBe(202);
    actionId = created.json().id;
    expect((await stack.call('alice', 'POST', `/v1/actions/${actionId}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    const result = await stack.client.workflow.getHandle(actionId).result();
    expect(result.status).toBe('succeeded');
    exported = await exportedHistoryJson(actionId);
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  it('keeps every param value, the summary and the result out of the raw history', async () => {
    const readable = await readableHistory(actionId);
    expect(readable).not.toContain(marker);
    expect(readable).not.toContain('airlock-src'); // bucket names too: they are params
    const payloads = payloadsIn(exported);
    // By design only search attributes (indexed, so never encrypted), the SDK's patch markers (a
    // patch id) and the SDK's own bookkeeping of a local activity (its type, attempt and times, in
    // the marker's `data`; the activity's result is the marker's `result`, encrypted) stay plain.
    const plain = payloads.filter((payload) => encodingOf(payload) !== ENCRYPTED_ENCODING).map((payload) => payload.path);
    expect(plain.length).toBeGreaterThan(0);
    const byDesign = /\.searchAttributes\.indexedFields\.\w+$|\.markerRecordedEventAttributes\.details\.(patch-data|data)\./;
    expect(plain.filter((path) => !byDesign.test(path))).toEqual([]);
    const localActivityData = payloads.filter((payload) => /\.markerRecordedEventAttributes\.details\.data\./.test(payload.path));
    // Admission (the preview and its outcome's record with it), and the audit write at the vote (the execution stores its own result).
    expect(localActivityData.map((payload) => JSON.parse(Buffer.from(payload.data ?? '', 'base64').toString('utf8')).activity_type)).toEqual([
      'admitAction',
      'recordAuditEvents',
    ]);
    expect(payloads.filter((payload) => encodingOf(payload) === ENCRYPTED_ENCODING).length).toBeGreaterThan(10);
  });

  it('still runs the action, and the API (holding the keys) shows plaintext to the requester', async () => {
    expect(await readObject(s3, 'airlock-exports', `reports/${marker}.csv`)).toBe(`id\n${marker}\n`);
    const view = (await stack.call('etl-bot', 'GET', `/v1/actions/${actionId}`)).json();
    expect(view.params.sourceKey).toBe(`src/${marker}.csv`);
    expect(view.justification).toBe(`Export for ${marker}`);
    const description = await stack.client.workflow.getHandle(actionId).describe();
    expect(await description.staticSummary()).toContain(marker);
    // Search attributes are never encrypted, so they hold no params: only what lists need.
    expect(description.typedSearchAttributes.get(StatusAttribute)).toBe('succeeded');
    expect(description.typedSearchAttributes.get(DecisionTimeAttribute)).toBeInstanceOf(Date);
  });

  it('encrypts failure messages too: a failed copy shows only "Encoded failure" in the raw history', async () => {
    const missing = `missing/${marker}.csv`; // no such object: the copy fails, and S3's message is stored
    const created = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey: missing, destinationBucket: 'airlock-exports', destinationKey: `reports/${marker}-2.csv` },
      justification: 'A copy that will fail',
    });
    const id = created.json().id;
    expect((await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    const result = await stack.client.workflow.getHandle(id).result();
    expect(result.status).toBe('failed');
    expect(result.error?.message).toBeTruthy(); // the API's client decrypts it
    const history = JSON.parse(await exportedHistoryJson(id)) as {
      events: Record<string, { failure?: { message?: string; encodedAttributes?: JsonPayload } }>[];
    };
    const failures = history.events.flatMap((event) =>
      Object.values(event).flatMap((attributes) =>
        attributes && typeof attributes === 'object' && 'failure' in attributes && attributes.failure ? [attributes.failure] : [],
      ),
    );
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) {
      expect(failure.message).toBe('Encoded failure');
      expect(failure.encodedAttributes && encodingOf(failure.encodedAttributes)).toBe(ENCRYPTED_ENCODING);
    }
    expect(await readableHistory(id)).not.toContain(marker);
  });

  it('decodes the history for an operator, by API key and by browser session', async () => {
    const body = { payloads: payloadsIn(exported).map(({ metadata, data }) => ({ metadata, data })) };
    const byKey = await stack.call('olive', 'POST', '/codec/decode', body, { 'x-namespace': 'default' });
    expect(byKey.statusCode).toBe(200);
    expect(decodedText(byKey.json().payloads)).toContain(marker);

    // As the sign-in form posts itself: a browser names the API's own origin, which is not a UI origin.
    const signIn = await fetch(`${stack.baseUrl}/codec/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(stack.baseUrl).origin },
      body: new URLSearchParams({ key: stack.keys.olive ?? '' }).toString(),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^airlock_codec_session=[^;]+; Path=\/codec; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    const fromUi = await fetch(`${stack.baseUrl}/codec/decode`, {
      method: 'POST',
      headers: { origin: UI_ORIGIN, cookie: cookie.split(';')[0] ?? '', 'content-type': 'application/json', 'x-namespace': 'default' },
      body: JSON.stringify(body),
    });
    expect(fromUi.status).toBe(200);
    expect(fromUi.headers.get('access-control-allow-origin')).toBe(UI_ORIGIN);
    expect(fromUi.headers.get('access-control-allow-credentials')).toBe('true');
    expect(decodedText(((await fromUi.json()) as { payloads: JsonPayload[] }).payloads)).toContain(marker);

    // With "pass the user access token" on, the UI adds its own SSO token: the cookie still counts.
    const withSsoToken = await fetch(`${stack.baseUrl}/codec/decode`, {
      method: 'POST',
      headers: {
        origin: UI_ORIGIN,
        cookie: cookie.split(';')[0] ?? '',
        authorization: 'Bearer eyJhbGciOiJSUzI1NiJ9.sso.token',
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    expect(withSsoToken.status).toBe(200);
  });

  it('decodes for the Temporal CLI given the codec endpoint and an operator key', async () => {
    const { stdout } = await promisify(execFile)(
      toolPaths().temporalCli,
      [
        'workflow',
        'show',
        '--workflow-id',
        actionId,
        '--output',
        'json',
        '--address',
        requiredEnv('AIRLOCK_TEST_TEMPORAL_ADDRESS'),
        '--codec-endpoint',
        `${stack.baseUrl}/codec`,
        '--codec-auth',
        `Bearer ${stack.keys.olive}`,
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const shown = payloadsIn(stdout);
    expect(shown.filter((payload) => encodingOf(payload) === ENCRYPTED_ENCODING)).toEqual([]);
    expect(decodedText(shown)).toContain(marker);
  });

  it('refuses everyone else: no key, a non-operator, a forged session, another origin, another namespace', async () => {
    const body = {
      payloads: payloadsIn(exported)
        .slice(0, 3)
        .map(({ metadata, data }) => ({ metadata, data })),
    };
    const anonymous = await stack.call(null, 'POST', '/codec/decode', body);
    expect([anonymous.statusCode, anonymous.json().error.code]).toEqual([401, 'unauthenticated']);
    for (const who of ['alice', 'etl-bot', 'root', 'audrey']) {
      const refused = await stack.call(who, 'POST', '/codec/decode', body);
      expect([who, refused.statusCode, refused.json().error.code]).toEqual([who, 403, 'forbidden']);
      expect(refused.text).not.toContain(marker);
    }
    const forged = await stack.call(null, 'POST', '/codec/decode', body, { cookie: 'airlock_codec_session=eyJzdWIiOiJvbGl2ZSJ9.bm9wZQ' });
    expect([forged.statusCode, forged.json().error.code]).toEqual([401, 'unauthenticated']);
    const elsewhere = await stack.call('olive', 'POST', '/codec/decode', body, { origin: 'https://evil.example' });
    expect([elsewhere.statusCode, elsewhere.json().error.code]).toEqual([403, 'origin_not_allowed']);
    expect(elsewhere.headers['access-control-allow-origin']).toBeUndefined();
    const otherNamespace = await stack.call('olive', 'POST', '/codec/decode', body, { 'x-namespace': 'payments' });
    expect([otherNamespace.statusCode, otherNamespace.json().error.code]).toEqual([403, 'namespace_not_served']);
    const refusedSignIn = await fetch(`${stack.baseUrl}/codec/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key: stack.keys.alice ?? '' }).toString(),
    });
    expect(refusedSignIn.status).toBe(401);
    expect(refusedSignIn.headers.get('set-cookie')).toBeNull();
  });

  it('answers the UI preflight for its origin only', async () => {
    const preflight = await fetch(`${stack.baseUrl}/codec/decode`, {
      method: 'OPTIONS',
      headers: { origin: UI_ORIGIN, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-namespace');
    const foreign = await fetch(`${stack.baseUrl}/codec/decode`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
  });

  it('refuses malformed codec bodies and payloads under unknown keys with 4xx codes', async () => {
    const malformed = await stack.call('olive', 'POST', '/codec/decode', { payloads: [{ data: 'not base64!' }] });
    expect([malformed.statusCode, malformed.json().error.code]).toEqual([400, 'invalid_request']);
    const foreign = await stack.call('olive', 'POST', '/codec/encode', {
      payloads: [{ metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"x"').toString('base64') }],
    });
    expect(foreign.statusCode).toBe(200);
    const [encrypted] = foreign.json().payloads as JsonPayload[];
    expect(encrypted && encodingOf(encrypted)).toBe(ENCRYPTED_ENCODING);
    const unknownKey = { ...encrypted, metadata: { ...encrypted?.metadata, 'encryption-key-id': Buffer.from('k9').toString('base64') } };
    const unknown = await stack.call('olive', 'POST', '/codec/decode', { payloads: [unknownKey] });
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([422, 'unknown_key_id']);
  });
});
