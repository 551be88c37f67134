import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CreateRoleCommand, GetRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { ActionState } from '../../domain/types';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { ProcessStack } from '../support/process-stack';
import { executorTrustPolicy } from '../support/seed-aws';
import { requiredEnv, TEST_REGION } from '../support/test-aws';

const POLICY_FILE = join(__dirname, '..', 'fixtures', 'policy-operators.yaml');

interface Printed {
  process: 'api' | 'worker';
  line: string;
  stream: 'stdout' | 'stderr';
}

/**
 * What the worker and the API print during one action whose params include a sensitive value
 * (`iam.putRolePolicy`'s `policyDocument`), at debug level so the SDK's workflow and activity
 * lifecycle lines are there too: JSON lines only, the action id on every workflow and activity
 * line, and neither the sensitive value nor any credential moto issued anywhere in the output.
 */
describe('logs', () => {
  let stack: ProcessStack | undefined;
  const printed: Printed[] = [];
  const endpoint = requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT');
  const iam = new IAMClient({ region: TEST_REGION, endpoint, credentials: MOTO_BASE_CREDENTIALS });

  beforeAll(async () => {
    stack = await ProcessStack.start({
      policyFile: POLICY_FILE,
      env: { AIRLOCK_LOG_LEVEL: 'debug' },
      onLine: (process, line, stream) => printed.push({ process, line, stream }),
    });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
    iam.destroy();
  });

  async function accountId(): Promise<string> {
    const sts = new STSClient({ region: TEST_REGION, endpoint, credentials: MOTO_BASE_CREDENTIALS });
    try {
      return (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
    } finally {
      sts.destroy();
    }
  }

  it('prints JSON lines with the action id, and never a sensitive param or a credential', async () => {
    const running = stack as ProcessStack;
    const account = await accountId();
    const roleName = `airlock-logs-${randomUUID().slice(0, 8)}`;
    await iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(executorTrustPolicy(`arn:aws:iam::${account}:root`)) }),
    );
    const marker = `SensitiveMarker${randomUUID().replace(/-/g, '')}`;
    const submitted = await running.call('etl-bot', 'POST', '/v1/actions', {
      action: 'iam.putRolePolicy',
      params: {
        accountId: account,
        roleName,
        policyName: 'logs-test',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Sid: 'Read', Effect: 'Allow', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::airlock-src/${marker}/*`] }],
        },
      },
      justification: 'Logs test: a sensitive policy document',
    });
    expect(submitted.statusCode).toBe(202);
    const id: string = submitted.json().id;
    const result = await running.client.workflow.getHandle<() => Promise<ActionState>>(id).result();
    expect(result.status).toBe('succeeded');
    expect((await running.call('alice', 'GET', `/v1/actions/${id}`)).statusCode).toBe(200);

    // The value really went through both processes: it is in the audit trail and on the role.
    const lineage = await running.audit.lineage(id);
    expect(JSON.stringify(lineage)).toContain(marker);
    const put = await iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: 'logs-test' }));
    expect(decodeURIComponent(put.PolicyDocument ?? '')).toContain(marker);
    const secrets = running.proxy.issuedSecrets();
    expect(secrets.length).toBeGreaterThan(0);

    // Stopping flushes both processes: every line they printed is in `printed`.
    await running.stop();
    stack = undefined;

    const stdout = (process: Printed['process']) => printed.filter((entry) => entry.process === process && entry.stream === 'stdout');
    const parse = (entry: Printed): Record<string, unknown> => {
      try {
        return JSON.parse(entry.line) as Record<string, unknown>;
      } catch {
        throw new Error(`${entry.process} printed a line that is not JSON: ${entry.line}`);
      }
    };
    const worker = stdout('worker').map(parse);
    const api = stdout('api').map(parse);

    // Lines from activity code (`sdkComponent: activity`) and the SDK's lines about a workflow or
    // an activity (they carry its type) all name their action.
    const actionLines = worker.filter(
      (line) => line.sdkComponent === 'workflow' || line.sdkComponent === 'activity' || 'workflowType' in line || 'activityType' in line,
    );
    const ofAction = (msg: string) => actionLines.filter((line) => line.msg === msg && line.actionId === id).length;
    expect(ofAction('Workflow started')).toBe(1);
    expect(ofAction('Workflow completed')).toBe(1);
    expect(ofAction('Activity started')).toBeGreaterThan(0);
    expect(ofAction('assumed one-shot execute session')).toBe(1);
    expect(actionLines.filter((line) => typeof line.actionId !== 'string')).toEqual([]);
    expect(actionLines.filter((line) => 'workflowId' in line || 'taskToken' in line)).toEqual([]);

    // The API's lines about the action carry its id: the request that created it, and a read.
    const completed = api.filter((line) => line.msg === 'request completed' && line.actionId === id);
    expect(completed.length).toBeGreaterThanOrEqual(2);

    for (const entry of printed) {
      expect(entry.line).not.toContain(marker);
      for (const secret of secrets) expect(entry.line).not.toContain(secret);
    }
  });
});
