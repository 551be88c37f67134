import { STSClient } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidParamsError, UnknownActionError, type Catalogue, type ResolvedOperation } from '../operations/catalogue';
import type { IamPolicyDocument, OperationOutcome } from '../operations/types';
import type { ExecuteOperationInput, ExecutionResult } from '../workflows/types';
import { logInfo } from './activity-log';
import type { AwsSettings } from './aws-settings';
import { toApplicationFailure } from './aws-errors';
import { assumeOneShotRole, type OneShotRole } from './credentials';

export interface ExecuteActivityDeps {
  catalogue: Catalogue;
  aws: AwsSettings;
  /** STS client for AssumeRole; by default one is built from `aws` (no SDK retries) and shared. */
  sts?: STSClient;
}

/**
 * The execute activity. One call = one operation: assume the executor role with the operation's
 * session policy, run it, return names and results only. The credentials exist only in this
 * function's memory: not in the result, not in logs, not in failures.
 */
export function createExecuteActivities(deps: ExecuteActivityDeps) {
  let sharedSts = deps.sts;
  const sts = (): STSClient =>
    (sharedSts ??= new STSClient({
      region: deps.aws.region,
      maxAttempts: 1, // Temporal owns retries
      ...(deps.aws.endpoint ? { endpoint: deps.aws.endpoint } : {}),
      ...(deps.aws.baseCredentials ? { credentials: deps.aws.baseCredentials } : {}),
    }));

  return {
    async executeOperation(input: ExecuteOperationInput): Promise<ExecutionResult> {
      const { operation, params } = resolve(deps.catalogue, input);
      const sessionPolicy = buildSessionPolicy(() => operation.sessionPolicy(params, deps.aws.partition));

      let role: OneShotRole;
      try {
        role = await assumeOneShotRole(sts(), {
          roleArn: deps.aws.executorRoleArn,
          sessionPolicy,
          actionId: input.actionId,
          action: input.action,
          requester: input.requester.id,
          approvers: input.approvers,
        });
      } catch (err) {
        const base = deps.aws.baseCredentials;
        throw toApplicationFailure(err, 'sts:AssumeRole', [base?.secretAccessKey, base?.sessionToken]);
      }
      const { credentials, session } = role;
      const secrets = [credentials.secretAccessKey, credentials.sessionToken];
      logInfo('assumed one-shot session', { action: input.action, ...session });

      let outcome: OperationOutcome;
      try {
        outcome = await operation.execute(params, {
          actionId: input.actionId,
          region: deps.aws.region,
          partition: deps.aws.partition,
          ...(deps.aws.endpoint ? { endpoint: deps.aws.endpoint } : {}),
          credentials,
        });
      } catch (err) {
        throw toApplicationFailure(err, operation.name, secrets);
      }
      assertNoSecrets(operation.name, outcome, secrets);
      logInfo('operation succeeded', { action: input.action, roleSessionName: session.roleSessionName });

      return {
        summary: outcome.summary,
        outputs: outcome.outputs,
        session,
        completedAt: new Date().toISOString(),
      };
    },
  };
}

/** Catalogue lookup and params re-validation, as non-retryable failures (retrying cannot help). */
function resolve(catalogue: Catalogue, input: ExecuteOperationInput): ResolvedOperation {
  try {
    return catalogue.resolve(input.action, input.params);
  } catch (err) {
    if (err instanceof UnknownActionError) {
      throw ApplicationFailure.create({ type: 'UnknownAction', message: err.message, nonRetryable: true });
    }
    if (err instanceof InvalidParamsError) {
      throw ApplicationFailure.create({ type: 'InvalidParams', message: err.message, nonRetryable: true });
    }
    throw err;
  }
}

function buildSessionPolicy(build: () => IamPolicyDocument): IamPolicyDocument {
  try {
    return build();
  } catch (err) {
    // A bad setting (e.g. the partition) or a bug in the operation: the same input fails again.
    throw ApplicationFailure.create({ type: 'SessionPolicyError', message: (err as Error).message, nonRetryable: true });
  }
}

/** Defence in depth against an operation that returns what it must not. */
function assertNoSecrets(name: string, outcome: OperationOutcome, secrets: (string | undefined)[]): void {
  const text = JSON.stringify(outcome);
  if (secrets.some((secret) => secret && text.includes(secret))) {
    throw ApplicationFailure.create({
      type: 'CredentialLeak',
      message: `${name} returned its session credentials in its outcome; the result was discarded`,
      nonRetryable: true,
    });
  }
}
