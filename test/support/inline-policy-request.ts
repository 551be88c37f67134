import { randomUUID } from 'node:crypto';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { executorTrustPolicy } from './seed-aws';
import type { Stack } from './stack';
import { requiredEnv, TEST_REGION } from './test-aws';

/**
 * etl-bot asks to put an inline policy on a new role of its own in moto (`iam.putRolePolicy`): the
 * request as the API answered it, with the action's id.
 */
export async function requestInlinePolicy(
  stack: Stack,
  request: { policyName: string; policyDocument: object; justification: string },
): Promise<{ id: string; statusCode: number; body: { status?: string; policy?: { ruleId?: string } } }> {
  const aws = { region: TEST_REGION, endpoint: requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT'), credentials: MOTO_BASE_CREDENTIALS };
  const sts = new STSClient(aws);
  const iam = new IAMClient(aws);
  try {
    const account = (await sts.send(new GetCallerIdentityCommand({}))).Account ?? '';
    const roleName = `airlock-test-${randomUUID().slice(0, 8)}`;
    await iam.send(
      new CreateRoleCommand({ RoleName: roleName, AssumeRolePolicyDocument: JSON.stringify(executorTrustPolicy(`arn:aws:iam::${account}:root`)) }),
    );
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 'iam.putRolePolicy',
      params: { accountId: account, roleName, policyName: request.policyName, policyDocument: request.policyDocument },
      justification: request.justification,
    });
    return { id: response.json().id, statusCode: response.statusCode, body: response.json() };
  } finally {
    sts.destroy();
    iam.destroy();
  }
}
