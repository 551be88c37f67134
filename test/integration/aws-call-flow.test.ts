import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { join } from 'node:path';
import type { ActionState } from '../../domain/types';
import { timeBoundPolicy } from '../../operations/session-time';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { ProcessStack } from '../support/process-stack';
import { requiredEnv, TEST_REGION } from '../support/test-aws';

const POLICY_FILE = join(__dirname, '..', 'fixtures', 'policy-aws-call.yaml');
const ACCOUNT = '123456789012';

/**
 * `aws.call` as an agent meets it, through the API and worker processes: rules on grants decide
 * (a Write to a prod table reviewed, a Read allowed, Permissions management denied), and the
 * approved call runs under exactly the session policy its input derives.
 */
describe('aws.call through the API, with rules on access level and resource', () => {
  let stack: ProcessStack | undefined;
  const dynamodb = new DynamoDBClient({ region: TEST_REGION, endpoint: requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT'), credentials: MOTO_BASE_CREDENTIALS });
  const table = `prod-orders-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    stack = await ProcessStack.start({ policyFile: POLICY_FILE });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    dynamodb.destroy();
  });

  const call = (operation: string, input: Record<string, unknown>, service = 'dynamodb') => ({
    action: 'aws.call',
    params: { service, operation, input, accountId: ACCOUNT, region: TEST_REGION },
    justification: 'Clean up a test order',
  });

  /** The `Policy` of each AssumeRole the worker made for this action: `execute` (session name the action id) and `preview`. */
  function sessionPolicies(actionId: string): Record<string, { Statement: { Condition: { DateLessThan: Record<string, string> } }[] }> {
    const policies: Record<string, { Statement: { Condition: { DateLessThan: Record<string, string> } }[] }> = {};
    for (const exchange of (stack as ProcessStack).proxy.exchanges()) {
      const form = new URLSearchParams(exchange.requestBody);
      const session = form.get('RoleSessionName') ?? '';
      if (form.get('Action') !== 'AssumeRole' || !session.startsWith(actionId)) continue;
      policies[session === actionId ? 'execute' : session.slice(actionId.length + 1)] = JSON.parse(form.get('Policy') ?? '{}');
    }
    return policies;
  }

  it('reviews a DeleteItem on a prod table, then deletes exactly that item under exactly the derived policy', async () => {
    const running = stack as ProcessStack;
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'order-1' }, total: { N: '42' } } }));
    const submitted = await running.call('etl-bot', 'POST', '/v1/actions', call('DeleteItem', { TableName: table, Key: { pk: { S: 'order-1' } } }));
    expect(submitted.statusCode).toBe(202);
    const created = submitted.json() as { id: string; status: string; policy: { ruleId: string } };
    expect(created).toMatchObject({ status: 'pending_review', policy: { ruleId: 'review-prod-table-writes' } });

    // Reviewers see the item about to be deleted.
    const pending = (await running.call('alice', 'GET', `/v1/actions/${created.id}`)).json() as {
      preview: { facts: Record<string, unknown>; notes: string[] };
    };
    expect(pending.preview.facts).toMatchObject({ accessLevel: 'Write', iamAction: 'dynamodb:DeleteItem', itemExists: true, itemAttributes: 2 });
    expect(pending.preview.notes.join('\n')).toContain('"total":{"N":"42"}');

    expect((await running.call('alice', 'POST', `/v1/actions/${created.id}/decisions`, { decision: 'approve' })).statusCode).toBe(200);
    const result = await running.client.workflow.getHandle<() => Promise<ActionState>>(created.id).result();
    expect(result.status).toBe('succeeded');
    expect((await dynamodb.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'order-1' } } }))).Item).toBeUndefined();

    const tableArn = `arn:aws:dynamodb:${TEST_REGION}:${ACCOUNT}:table/${table}`;
    const leadingKey = { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['order-1'] } };
    const policies = sessionPolicies(created.id);
    const bound = (name: string) => new Date(policies[name]?.Statement[0]?.Condition.DateLessThan['aws:CurrentTime'] ?? 0);
    expect(policies.preview).toEqual(
      timeBoundPolicy(
        { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [tableArn], Condition: leadingKey }] },
        bound('preview'),
      ),
    );
    expect(policies.execute).toEqual(
      timeBoundPolicy(
        {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['dynamodb:DeleteItem'], Resource: [tableArn], Condition: leadingKey },
            { Effect: 'Allow', Action: ['dynamodb:GetItem'], Resource: [tableArn], Condition: leadingKey },
          ],
        },
        bound('execute'),
      ),
    );
    // The audit trail keeps each credential's policy as STS received it: an auditor reads what it could do.
    const credentials = (await running.audit.lineage(created.id)).filter((event) => event.kind === 'credential.issued');
    const recorded = Object.fromEntries(credentials.map((event) => [event.data.purpose, JSON.parse(String(event.data.sessionPolicy))]));
    expect(recorded).toEqual({ preview: policies.preview, execute: policies.execute });
  });

  it('allows a Read at once; its outcome keeps the digest and size, not the item', async () => {
    const running = stack as ProcessStack;
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: { pk: { S: 'order-2' }, card: { S: 'secret-card-number' } } }));
    const submitted = await running.call('etl-bot', 'POST', '/v1/actions', call('GetItem', { TableName: table, Key: { pk: { S: 'order-2' } } }));
    const created = submitted.json() as { id: string; policy: { ruleId: string } };
    expect(created.policy.ruleId).toBe('allow-reads');
    const result = await running.client.workflow.getHandle<() => Promise<ActionState>>(created.id).result();
    expect(result.status).toBe('succeeded');
    const shown = JSON.stringify((await running.call('etl-bot', 'GET', `/v1/actions/${created.id}`)).json());
    expect(shown).toMatch(/"responseSha256":"[0-9a-f]{64}"/);
    expect(shown).not.toContain('secret-card-number');
  });

  it('denies Permissions management, and refuses a call whose resource its input does not name', async () => {
    const running = stack as ProcessStack;
    const denied = await running.call(
      'etl-bot',
      'POST',
      '/v1/actions',
      call('PutRolePolicy', { RoleName: 'app', PolicyName: 'p', PolicyDocument: '{}' }, 'iam'),
    );
    expect(denied.json()).toMatchObject({ status: 'denied', policy: { ruleId: 'deny-permissions-management' } });

    const underivable = await running.call('etl-bot', 'POST', '/v1/actions', call('DeleteItem', { Key: { pk: { S: 'order-3' } } }));
    expect(underivable.statusCode).toBe(400);
    expect(JSON.stringify(underivable.json())).toMatch(/invalid_params.*dynamodb:DeleteItem needs a table .*input.TableName/);
  });
});
