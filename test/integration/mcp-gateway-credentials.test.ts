import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionState } from '../../domain/types';
import { timeBoundPolicy } from '../../operations/session-time';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { EVERYTHING_ENTRY, stdioServer, writeGatewayFile } from '../support/gateway-file';
import { readableHistory } from '../support/history';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { readObject, testS3 } from '../support/test-aws';

/*
 * `credentials: aws-one-shot`: each approved call of a stdio MCP server runs in a new process whose
 * environment holds AWS credentials from AssumeRole, narrowed to the session policy the gateway
 * config declares for the tool, filled from the call's arguments. Against moto, through the
 * worker's recording proxy: the policy STS received, the object the process wrote with it, and
 * credentials that never reach a result, a history or the audit trail.
 */

const NOTES_SERVER = join(PROJECT_ROOT, 'test/fixtures/mcp/s3-notes-server.mjs');
const POLICY_FILE = join(PROJECT_ROOT, 'test/fixtures/policy-gateway.yaml');

interface View {
  id: string;
  status: string;
  result: { outputs: Record<string, unknown>; session?: { roleSessionName: string }; toolResult?: { content: { text?: string }[] } } | null;
  error: { type: string; message: string } | null;
}

describe('MCP gateway: per-call AWS credentials (credentials: aws-one-shot)', () => {
  let stack: Stack;
  let configDir: string;
  const s3 = testS3();

  beforeAll(async () => {
    configDir = mkdtempSync(join(tmpdir(), 'airlock-gateway-aws-'));
    const everyToolsCall = ['          - actions: [s3:ListBucket]', "            resources: ['arn:aws:s3:::airlock-src']"];
    const gatewayFile = writeGatewayFile(configDir, [
      stdioServer(
        'notes',
        NOTES_SERVER,
        [],
        [
          '    credentials: aws-one-shot',
          '    tools:',
          '      put_note:',
          '        sessionPolicy:',
          '          - actions: [s3:PutObject]',
          "            resources: ['arn:aws:s3:::{bucket}/{key}']",
          '        runningTime: 20s',
          '      whoami:',
          '        sessionPolicy:',
          ...everyToolsCall,
          // get_note has no sessionPolicy: with per-call credentials, it is not offered.
        ],
      ),
      stdioServer(
        'everything',
        EVERYTHING_ENTRY,
        [],
        ['    credentials: aws-one-shot', '    tools:', '      get-env:', '        sessionPolicy:', ...everyToolsCall],
      ),
    ]);
    stack = await startStack(await bundleWorkflows(), { policyFile: POLICY_FILE, gatewayFile });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(configDir, { recursive: true, force: true });
    s3.destroy();
  });

  const request = async (action: string, params: Record<string, unknown>) =>
    stack.call('etl-bot', 'POST', '/v1/actions', { action, params, justification: 'per-call credentials test' });
  const finalView = async (id: string): Promise<View> => {
    await stack.client.workflow.getHandle<() => Promise<ActionState>>(id).result();
    return (await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json() as View;
  };
  /** The `Policy` each AssumeRole for this action asked STS for. */
  const assumedPolicies = (actionId: string): unknown[] =>
    stack.proxy
      .exchanges()
      .map((exchange) => new URLSearchParams(exchange.requestBody))
      .filter((form) => form.get('Action') === 'AssumeRole' && (form.get('RoleSessionName') ?? '').startsWith(actionId))
      .map((form) => JSON.parse(form.get('Policy') ?? 'null'));

  it('runs an approved call in a new process with credentials for exactly the templated resource', async () => {
    const key = `${randomUUID()}.txt`;
    const created = await request('mcp.notes.put_note', { bucket: 'airlock-exports', key, text: 'written with one-shot credentials' });
    expect(created.statusCode).toBe(202);
    const { id } = created.json() as { id: string };
    expect((await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    const done = await finalView(id);
    expect(done.status).toBe('succeeded');
    expect(done.result?.toolResult?.content[0]?.text).toBe(`wrote s3://airlock-exports/${key}`);
    expect(await readObject(s3, 'airlock-exports', key)).toBe('written with one-shot credentials');

    // One AssumeRole, for the execution only (the preview reads nothing), with the template filled.
    const policies = assumedPolicies(id);
    expect(policies).toHaveLength(1);
    const sent = policies[0] as { Statement: { Condition: { DateLessThan: Record<string, string> } }[] };
    const bound = new Date(sent.Statement[0]?.Condition.DateLessThan['aws:CurrentTime'] ?? 0);
    expect(sent).toEqual(
      timeBoundPolicy(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:PutObject'], Resource: [`arn:aws:s3:::airlock-exports/${key}`] }] },
        bound,
      ),
    );
    expect(done.result?.session?.roleSessionName).toBe(id);
    const issued = (await stack.audit.lineage(id)).filter((event) => event.kind === 'credential.issued');
    expect(issued.map((event) => event.data.purpose)).toEqual(['execute']);
  });

  it('gives the process of a call with no arguments credentials too (a policy with no template)', async () => {
    const direct = await stack.call('etl-bot', 'POST', '/v1/actions', { action: 'mcp.notes.whoami', params: {}, justification: 'per-call credentials test' });
    const { id } = direct.json() as { id: string };
    expect((await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    expect((await finalView(id)).result?.toolResult?.content[0]?.text).toBe('has AWS credentials');
  });

  it('does not offer a tool whose session policy the config does not declare', async () => {
    const catalogue = (await stack.call('etl-bot', 'GET', '/v1/catalogue')).json() as { items: { name: string }[] };
    const names = catalogue.items.map((item) => item.name);
    expect(names).toEqual(expect.arrayContaining(['mcp.notes.put_note', 'mcp.notes.whoami']));
    expect(names).not.toContain('mcp.notes.get_note');
    const refused = await request('mcp.notes.get_note', { bucket: 'airlock-src', key: 'x' });
    expect(refused.statusCode).toBe(400);
  });

  it('refuses, before any action exists, an argument that would widen the grant', async () => {
    for (const bucket of ['*', 'airlock-*', 'a?c', '${aws:username}']) {
      const refused = await request('mcp.notes.put_note', { bucket, key: 'k.txt', text: 'x' });
      expect({ bucket, status: refused.statusCode, body: refused.json() }).toMatchObject({
        bucket,
        status: 400,
        body: { error: { code: 'invalid_params', issues: [{ path: 'params.bucket' }] } },
      });
    }
  });

  it('discards a result that carries the call’s credentials: never in the answer, the history or the audit trail', async () => {
    const created = await request('mcp.everything.get-env', {});
    const { id } = created.json() as { id: string };
    expect((await stack.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    const done = await finalView(id);
    expect(done).toMatchObject({ status: 'failed', error: { type: 'CredentialLeak' } });
    expect(assumedPolicies(id)).toHaveLength(1); // the process had credentials: that is what leaked
    const secrets = stack.issuedSecrets();
    expect(secrets.length).toBeGreaterThan(0);
    const everywhere = [JSON.stringify(done), JSON.stringify(await stack.audit.lineage(id)), await readableHistory(id)].join('\n');
    for (const secret of secrets) expect(everywhere).not.toContain(secret);
  });
});
