import { STSClient } from '@aws-sdk/client-sts';
import { ApplicationFailure } from '@temporalio/common';
import type { Catalogue } from '../operations/catalogue';
import type { IamPolicyDocument, Operation, OperationContext, OperationProgress } from '../operations/types';
import type { JsonObject, Requester } from '../workflows/types';
import { currentActivity } from './activity-context';
import { logInfo } from './activity-log';
import type { AuditLog } from '../audit/audit-log';
import { recordCredentialIssued } from './audit';
import type { AwsSettings } from './aws-settings';
import { toApplicationFailure } from './aws-errors';
import { assumeOneShotRole, type OneShotRole, type OneShotSession, type SessionPurpose } from './credentials';
import { resolveOperation } from './resolve-operation';

export interface OneShotDeps {
  catalogue: Catalogue;
  aws: AwsSettings;
  /** Where each issued credential is recorded before it is used. */
  audit: AuditLog;
  /** STS client for AssumeRole; by default one is built from `aws` (no SDK retries) and shared. */
  sts?: STSClient;
}

export interface OneShotInput {
  actionId: string;
  action: string;
  params: JsonObject;
  requester: Requester;
  approvers: string[];
}

/**
 * Runs one step of one operation (its preview or its execution) with credentials that exist only
 * here: assume the executor role narrowed by that step's session policy, run, drop them. Nothing
 * secret leaves: failures carry type and redacted message only, and a value holding the
 * credentials is refused.
 */
export function oneShotRunner(deps: OneShotDeps) {
  let sharedSts = deps.sts;
  const sts = (): STSClient =>
    (sharedSts ??= new STSClient({
      region: deps.aws.region,
      maxAttempts: 1, // Temporal owns retries
      ...(deps.aws.endpoint ? { endpoint: deps.aws.endpoint } : {}),
      ...(deps.aws.baseCredentials ? { credentials: deps.aws.baseCredentials } : {}),
    }));

  return async function runOneShot<T>(
    input: OneShotInput,
    purpose: SessionPurpose,
    run: (operation: Operation<unknown>, params: unknown, context: OperationContext) => Promise<T>,
  ): Promise<{ value: T; session: OneShotSession }> {
    const { operation, params } = resolveOperation(deps.catalogue, input.action, input.params);
    const sessionPolicy = buildSessionPolicy(() =>
      purpose === 'execute' ? operation.sessionPolicy(params, deps.aws.partition) : operation.previewPolicy(params, deps.aws.partition),
    );

    let role: OneShotRole;
    try {
      role = await assumeOneShotRole(sts(), {
        roleArn: deps.aws.executorRoleArn,
        sessionPolicy,
        actionId: input.actionId,
        action: input.action,
        requester: input.requester.id,
        approvers: input.approvers,
        purpose,
      });
    } catch (err) {
      const base = deps.aws.baseCredentials;
      throw toApplicationFailure(err, 'sts:AssumeRole', [base?.secretAccessKey, base?.sessionToken]);
    }
    const { credentials, session } = role;
    const secrets = [credentials.secretAccessKey, credentials.sessionToken];
    logInfo(`assumed one-shot ${purpose} session`, { action: input.action, ...session });
    // Unrecorded, unused: if the store is down the attempt fails and the credential just expires.
    await recordCredentialIssued(deps.audit, {
      actionId: input.actionId,
      purpose,
      session,
      accessKeyId: credentials.accessKeyId,
      ...(credentials.expiration ? { expiration: credentials.expiration } : {}),
    });

    const liveness = activityProgress();
    let value: T;
    try {
      value = await run(operation, params, {
        actionId: input.actionId,
        region: deps.aws.region,
        partition: deps.aws.partition,
        ...(deps.aws.endpoint ? { endpoint: deps.aws.endpoint } : {}),
        credentials,
        ...(liveness ? { progress: liveness.progress } : {}),
      });
    } catch (err) {
      throw toApplicationFailure(err, purpose === 'execute' ? operation.name : `${operation.name} ${purpose}`, secrets);
    } finally {
      liveness?.stop();
    }
    assertNoSecrets(operation.name, value, secrets);
    return { value, session };
  };
}

/**
 * Heartbeats every few seconds while an operation runs, repeating its last progress report, so a
 * crashed worker is noticed within the heartbeat timeout and the retry resumes from that report.
 * Undefined outside an activity (direct calls in scripts and tests).
 */
function activityProgress(): { progress: OperationProgress; stop(): void } | undefined {
  const context = currentActivity();
  if (!context) return undefined;
  let last: unknown = context.info.heartbeatDetails;
  const ticker = setInterval(() => context.heartbeat(last), HEARTBEAT_EVERY_MS);
  return {
    progress: {
      resumeFrom: () => context.info.heartbeatDetails,
      report: (details) => {
        last = details;
        context.heartbeat(details);
      },
    },
    stop: () => clearInterval(ticker),
  };
}

const HEARTBEAT_EVERY_MS = 2000;

function buildSessionPolicy(build: () => IamPolicyDocument): IamPolicyDocument {
  try {
    return build();
  } catch (err) {
    // A bad setting (e.g. the partition) or a bug in the operation: the same input fails again.
    throw ApplicationFailure.create({ type: 'SessionPolicyError', message: (err as Error).message, nonRetryable: true });
  }
}

/** Defence in depth against an operation that returns what it must not. */
function assertNoSecrets(name: string, value: unknown, secrets: (string | undefined)[]): void {
  const text = JSON.stringify(value) ?? ''; // undefined (a recheck that found nothing) has no text
  if (secrets.some((secret) => secret && text.includes(secret))) {
    throw ApplicationFailure.create({
      type: 'CredentialLeak',
      message: `${name} returned its session credentials in its outcome; the result was discarded`,
      nonRetryable: true,
    });
  }
}
