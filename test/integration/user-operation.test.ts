import { join } from 'node:path';
import { GetObjectTaggingCommand } from '@aws-sdk/client-s3';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ActionState } from '../../domain/types';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { stdioAgentTransport } from '../support/mcp-agent';
import { ProcessStack } from '../support/process-stack';
import { putObject, testS3 } from '../support/test-aws';

const EXAMPLE = join(PROJECT_ROOT, 'examples', 'operations', 's3-tag-object', 'index.js');
const POLICY_FILE = join(__dirname, '..', 'fixtures', 'policy-user-operations.yaml');

/**
 * An operation that is not Airlock's: the example module, named in AIRLOCK_OPERATIONS, is loaded
 * by the worker and the API processes (built from dist/, nothing of Airlock changed), listed in the
 * catalogue, requested over HTTP, reviewed, and executed against moto with one-shot credentials.
 */
describe('an operation of your own, from AIRLOCK_OPERATIONS', () => {
  let stack: ProcessStack | undefined;
  const s3 = testS3();

  beforeAll(async () => {
    stack = await ProcessStack.start({ policyFile: POLICY_FILE, env: { AIRLOCK_OPERATIONS: EXAMPLE } });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
  });

  it('is in the catalogue, and runs only once a reviewer approved exactly it', async () => {
    const running = stack as ProcessStack;
    const catalogue = await running.call('etl-bot', 'GET', '/v1/catalogue');
    expect(catalogue.statusCode).toBe(200);
    expect(JSON.stringify(catalogue.json())).toContain('s3.tagObject');
    // The served OpenAPI document describes its params like a built-in's.
    const openapi = await running.call(null, 'GET', '/openapi.json');
    expect(openapi.statusCode).toBe(200);
    expect(openapi.text).toContain('s3.tagObject');
    // An agent on MCP sees it in list_actions, with its params schema and what policy makes of it.
    const mcp = new Client({ name: 'airlock-test-agent', version: '1.0.0' });
    await mcp.connect(stdioAgentTransport(running.apiUrl, running.keys['etl-bot'] as string));
    try {
      const listed = (await mcp.callTool({ name: 'list_actions', arguments: {} })) as CallToolResult;
      const { actions } = listed.structuredContent as { actions: { name: string; review: string; paramsSchema: { properties?: object } }[] };
      const tagging = actions.find((entry) => entry.name === 's3.tagObject');
      expect(tagging?.paramsSchema.properties).toHaveProperty('tags');
      expect(tagging?.review).toBe('required');
    } finally {
      await mcp.close();
    }

    const key = `user-operation/${Date.now()}.csv`;
    await putObject(s3, 'airlock-exports', key, 'a,b\n');
    const submitted = await running.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.tagObject',
      params: { bucket: 'airlock-exports', key, tags: { retention: '90d' } },
      justification: 'Lifecycle: keep the Q3 export for 90 days',
    });
    expect(submitted.statusCode).toBe(202);
    const { id, status } = submitted.json() as { id: string; status: string };
    expect(status).toBe('pending_review');
    const tagsNow = async () => (await s3.send(new GetObjectTaggingCommand({ Bucket: 'airlock-exports', Key: key }))).TagSet;
    expect(await tagsNow()).toEqual([]); // nothing before the approval

    // Params the module's own schema refuses never reach Temporal.
    const refused = await running.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.tagObject',
      params: { bucket: 'airlock-exports', key: 'reports/*', tags: {} },
      justification: 'A wildcard key',
    });
    expect(refused.statusCode).toBe(400);

    const vote = await running.call('alice', 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' });
    expect(vote.statusCode).toBe(200);
    const result = await running.client.workflow.getHandle<() => Promise<ActionState>>(id).result();
    expect(result.status).toBe('succeeded');
    expect(await tagsNow()).toEqual([{ Key: 'retention', Value: '90d' }]);

    // The audit trail tells it like any other action: requested, reviewed, executed.
    const kinds = (await running.audit.lineage(id)).map((event) => event.kind);
    expect(kinds).toEqual(expect.arrayContaining(['request.received', 'preview.completed', 'vote.recorded', 'action.approved', 'operation.succeeded']));
  });
});
