import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ActionState } from '../../domain/types';
import { canonicalJson } from '../../domain/canonical-json';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { eventually } from '../support/eventually';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';

/*
 * Downstream MCP tool calls as Airlock actions, through the API and a worker that each connect to
 * a real @modelcontextprotocol/server-filesystem (stdio) as the gateway file says: policy on the
 * tool's annotations and arguments, review, the call only after approval, the answer for the agent
 * and only its digest in the audit trail.
 */

const FILESYSTEM_ENTRY = join(PROJECT_ROOT, 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js');
const POLICY_FILE = join(PROJECT_ROOT, 'test/fixtures/policy-gateway.yaml');

interface View {
  id: string;
  status: string;
  policy: { ruleId: string; effect: string } | null;
  preview: { facts: Record<string, unknown>; notes: string[]; warnings: string[] } | null;
  result: {
    summary: string;
    outputs: Record<string, unknown>;
    session?: unknown;
    toolResult?: { content: { type: string; text?: string }[]; isError?: boolean };
  } | null;
  error: { type: string; message: string } | null;
}

describe('MCP gateway: downstream tool calls as Airlock actions', () => {
  let stack: Stack;
  let dir: string;
  let configDir: string;

  beforeAll(async () => {
    // server-filesystem compares real paths: the allowed folder is given as one.
    dir = realpathSync(mkdtempSync(join(tmpdir(), 'airlock-gateway-files-')));
    configDir = mkdtempSync(join(tmpdir(), 'airlock-gateway-config-'));
    const gatewayFile = join(configDir, 'gateway.yaml');
    writeFileSync(
      gatewayFile,
      [
        'version: 1',
        'servers:',
        '  fs:',
        '    transport: stdio',
        `    command: ${JSON.stringify(process.execPath)}`,
        `    args: [${JSON.stringify(FILESYSTEM_ENTRY)}, ${JSON.stringify(dir)}]`,
        '',
      ].join('\n'),
    );
    stack = await startStack(await bundleWorkflows(), { policyFile: POLICY_FILE, gatewayFile });
  });
  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  });

  const request = async (tool: string, args: Record<string, unknown>) => {
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: `mcp.fs.${tool}`,
      params: args,
      justification: `testing ${tool} through the gateway`,
    });
    return { statusCode: response.statusCode, body: response.json() as View & { error?: { code: string; issues?: { path: string; message: string }[] } } };
  };
  const view = async (id: string): Promise<View> => (await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json() as View;
  const final = async (id: string): Promise<View> => {
    await stack.client.workflow.getHandle<() => Promise<ActionState>>(id).result();
    return view(id);
  };

  it('lists every tool of the server in the catalogue, with its own schema, annotations and what policy will do', async () => {
    const catalogue = (await stack.call('etl-bot', 'GET', '/v1/catalogue')).json() as {
      items: {
        name: string;
        review: string;
        paramsSchema: { properties?: Record<string, unknown> };
        tool?: { server: string; name: string; annotations: Record<string, unknown> };
      }[];
    };
    const byName = new Map(catalogue.items.map((item) => [item.name, item]));
    // The first rule (deny-secret-paths) looks at the path: for every fs tool, the arguments decide.
    expect(byName.get('mcp.fs.write_file')).toMatchObject({
      review: 'depends_on_params',
      tool: { server: 'fs', name: 'write_file', annotations: { readOnlyHint: false, destructiveHint: true } },
    });
    expect(Object.keys(byName.get('mcp.fs.write_file')?.paramsSchema.properties ?? {}).sort()).toEqual(['content', 'path']);
    expect(byName.get('mcp.fs.read_text_file')).toMatchObject({ review: 'depends_on_params', tool: { annotations: { readOnlyHint: true } } });
    // The built-in operations are still there.
    expect(byName.has('s3.copyObject')).toBe(true);
  });

  it('reviews a write_file: the file appears only after approval, the agent gets the answer, the audit trail only its digest', async () => {
    const path = join(dir, `notes-${randomUUID()}.txt`);
    const content = `written through the gateway ${randomUUID()}`;
    const created = await request('write_file', { path, content });
    expect(created.statusCode).toBe(202);
    expect(created.body).toMatchObject({ status: 'pending_review', policy: { ruleId: 'review-fs-writes' } });
    // Reviewers see what the call is and what the server says of it; nothing was written.
    const pending = await view(created.body.id);
    expect(pending.preview?.facts).toEqual({
      server: 'fs',
      tool: 'write_file',
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: false,
    });
    expect(pending.preview?.warnings.join('\n')).toContain('may change or delete data');
    expect(existsSync(path)).toBe(false);

    expect((await stack.call('alice', 'POST', `/v1/actions/${created.body.id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    const done = await final(created.body.id);
    expect(done.status).toBe('succeeded');
    expect(readFileSync(path, 'utf8')).toBe(content);
    const toolResult = done.result?.toolResult;
    expect(toolResult?.content[0]?.text).toContain('Successfully wrote');
    expect(done.result?.session).toBeUndefined(); // no AWS credentials for a server that needs none

    const lineage = await stack.audit.lineage(created.body.id);
    const succeeded = lineage.find((event) => event.kind === 'operation.succeeded');
    const digest = createHash('sha256').update(canonicalJson(toolResult), 'utf8').digest('hex');
    expect(succeeded?.data).toMatchObject({ outputs: { resultSha256: digest, resultBytes: Buffer.byteLength(JSON.stringify(toolResult)), contentBlocks: 1 } });
    expect(JSON.stringify(succeeded?.data)).not.toContain('Successfully wrote');
    expect(lineage.filter((event) => event.kind === 'credential.issued')).toEqual([]);
  });

  it('never writes a file whose write_file was rejected', async () => {
    const path = join(dir, `rejected-${randomUUID()}.txt`);
    const created = await request('write_file', { path, content: 'must never appear' });
    expect(created.body.status).toBe('pending_review');
    const rejected = await stack.call('bob', 'POST', `/v1/actions/${created.body.id}/decisions`, { decision: 'reject', comment: 'not this file' });
    expect(rejected.statusCode).toBe(200);
    expect((await final(created.body.id)).status).toBe('rejected');
    expect(existsSync(path)).toBe(false);
  });

  it('runs a read at once, the file content going to the agent and not into the audit trail', async () => {
    const path = join(dir, `read-${randomUUID()}.txt`);
    const secretLine = `card 4111-1111-1111-${Math.floor(Math.random() * 9000 + 1000)}`;
    writeFileSync(path, secretLine);
    const created = await request('read_text_file', { path });
    expect(created.statusCode).toBe(202);
    const done = await final(created.body.id);
    expect(done).toMatchObject({ status: 'succeeded', policy: { ruleId: 'allow-fs-reads' } });
    expect(done.result?.toolResult?.content[0]?.text).toBe(secretLine);
    const lineage = JSON.stringify(await stack.audit.lineage(created.body.id));
    expect(lineage).toContain('operation.succeeded');
    expect(lineage).not.toContain(secretLine);
  });

  it('denies a path the policy names, with nothing sent to the server', async () => {
    const path = join(dir, `secret-${randomUUID()}.txt`);
    const created = await request('write_file', { path, content: 'nope' });
    expect(created.body).toMatchObject({ status: 'denied', policy: { ruleId: 'deny-secret-paths' } });
    await final(created.body.id);
    expect(existsSync(path)).toBe(false);
  });

  it('refuses arguments the tool schema refuses, naming each field, before any action exists', async () => {
    const refused = await request('write_file', { path: join(dir, 'x.txt'), contents: 'typo' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body.error?.code).toBe('invalid_params');
    expect(refused.body.error?.issues).toEqual([{ path: 'params.content', message: 'required' }]);
  });

  it('fails the action with the tool’s own words when the tool reports an error', async () => {
    const outside = join(realpathSync(tmpdir()), `outside-${randomUUID()}.txt`);
    const created = await request('read_text_file', { path: outside });
    const done = await final(created.body.id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatchObject({ type: 'tool_error' });
    expect(done.error?.message).toMatch(/Access denied|outside allowed/i);
    await eventually(async () => (await stack.audit.lineage(created.body.id)).some((event) => event.kind === 'operation.failed'));
  });
});
