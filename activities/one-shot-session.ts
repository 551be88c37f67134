import type { STSClient } from '@aws-sdk/client-sts';
import { type Attributes, SpanKind } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../domain/failure-types';
import type { Catalogue } from '../operations/catalogue';
import { parsePreconditions } from '../operations/preconditions';
import { runningTimeOf, sessionWindow } from '../operations/session-time';
import type { ExecutionContext, IamPolicyDocument, Operation, OperationProgress, SessionCredentials } from '../operations/types';
import type { JsonObject, Requester } from '../domain/types';
import { currentActivity } from './activity-context';
import { logInfo } from './activity-log';
import type { AuditLog } from '../audit/audit-log';
import { recordCredentialIssued } from './audit';
import type { AwsSettings } from './aws-settings';
import { classifyAwsError, toApplicationFailure } from './aws-errors';
import { assumeOneShotRole, executorStsClient, type OneShotSession, type SessionPurpose } from './credentials';
import { resolveOperation } from './resolve-operation';
import { inSpan } from '../telemetry/spans';

export interface OneShotDeps {
  catalogue: Catalogue;
  aws: AwsSettings;
  /** Where each issued credential is recorded before it is used. */
  audit: AuditLog;
  /** STS client for AssumeRole; by default one is built from `aws` (no SDK retries) and shared. */
  sts?: STSClient;
  /** The clock each session's time bound starts from; tests fix it. */
  now?: () => Date;
}

export interface OneShotInput {
  actionId: string;
  action: string;
  params: JsonObject;
  requester: Requester;
  approvers: string[];
  /** What the preview bound the execution to; checked by the operation's schema for `execute` and `recheck`. */
  preconditions?: JsonObject;
}

/**
 * Runs one step of one operation (its preview, a recheck, or its execution) with credentials that
 * exist only here: assume the executor role narrowed by that step's session policy and bounded to
 * the operation's running time, run, drop them. A batched operation renews its credentials through
 * the context; each issue is recorded in the audit trail. Nothing secret leaves: failures carry
 * type and redacted message only, and a value holding the credentials is refused.
 *
 * Executions and rechecks of an operation that declares preconditions get them parsed by its
 * schema; missing or malformed ones fail `invalid_preconditions` before any credential is issued.
 */
export function oneShotRunner(deps: OneShotDeps) {
  let sharedSts = deps.sts;
  const sts = (): STSClient => (sharedSts ??= executorStsClient(deps.aws));
  const now = deps.now ?? (() => new Date());

  type Run<T> = (operation: Operation<unknown, unknown>, params: unknown, context: ExecutionContext<unknown>) => Promise<T>;

  /** The step as one span (`execute s3.copyObject`): its AssumeRole and its operation's call are its children. */
  const runOneShot = <T>(input: OneShotInput, purpose: SessionPurpose, run: Run<T>): Promise<{ value: T; session?: OneShotSession }> =>
    inSpan(`${purpose} ${input.action}`, stepAttributes(input, purpose), () => runStep(input, purpose, run));

  const runStep = async <T>(input: OneShotInput, purpose: SessionPurpose, run: Run<T>): Promise<{ value: T; session?: OneShotSession }> => {
    const { operation, params } = resolveOperation(deps.catalogue, input.action, input.params);
    const step = purpose === 'execute' ? operation.name : `${operation.name} ${purpose}`;
    let preconditions: unknown;
    try {
      preconditions = purpose === 'preview' ? undefined : parsePreconditions(operation, input.preconditions, 'execution');
    } catch (err) {
      throw toApplicationFailure(err, step); // no credential exists yet
    }
    const sessionPolicy = buildSessionPolicy(() =>
      purpose === 'execute' ? operation.sessionPolicy(params, deps.aws.partition) : operation.previewPolicy(params, deps.aws.partition),
    );
    const runningTimeSeconds = runningTimeOf(operation);
    const secrets: (string | undefined)[] = [];

    /** One AssumeRole, bounded from now, recorded before it is used (unrecorded, unused: the credential just expires). */
    const issue = async (): Promise<SessionCredentials & { session: OneShotSession }> => {
      const window = sessionWindow(now(), runningTimeSeconds);
      let role;
      try {
        role = await inSpan(
          'sts:AssumeRole',
          stepAttributes(input, purpose),
          () =>
            assumeOneShotRole(sts(), {
              roleArn: deps.aws.executorRoleArn,
              sessionPolicy,
              notAfter: window.notAfter,
              actionId: input.actionId,
              action: input.action,
              requester: input.requester.id,
              approvers: input.approvers,
              purpose,
            }),
          SpanKind.CLIENT,
        );
      } catch (err) {
        const base = deps.aws.baseCredentials;
        throw toApplicationFailure(err, 'sts:AssumeRole', [base?.secretAccessKey, base?.sessionToken]);
      }
      const { credentials, session } = role;
      secrets.push(credentials.secretAccessKey, credentials.sessionToken);
      logInfo(`assumed one-shot ${purpose} session`, { action: input.action, ...session, usableUntil: window.usableUntil.toISOString() });
      await recordCredentialIssued(deps.audit, {
        actionId: input.actionId,
        purpose,
        session,
        accessKeyId: credentials.accessKeyId,
        ...(credentials.expiration ? { expiration: credentials.expiration } : {}),
        sessionPolicy: role.policy,
      });
      return { credentials, usableUntil: window.usableUntil, session };
    };

    // A step without AWS credentials (an MCP gateway tool's preview, or its call to a server that
    // holds its own secrets): no AssumeRole, nothing recorded as issued, and reading the context's
    // credentials throws, so an operation that wrongly declared it needs none fails loudly.
    const first = operation.usesAwsCredentials?.(purpose) === false ? undefined : await issue();
    const noCredentials = (): never => {
      throw new Error(`${operation.name} declared that ${step} runs without AWS credentials`);
    };
    let usableUntil = first?.usableUntil ?? sessionWindow(now(), runningTimeSeconds).usableUntil;
    const liveness = activityProgress();
    let value: T;
    try {
      const call = (): Promise<T> =>
        run(operation, params, {
          actionId: input.actionId,
          region: deps.aws.region,
          partition: deps.aws.partition,
          ...(deps.aws.endpoint ? { endpoint: deps.aws.endpoint } : {}),
          get credentials() {
            return first ? first.credentials : noCredentials();
          },
          usableUntil,
          renewCredentials: async () => {
            if (!first) return noCredentials();
            const renewed = await issue();
            usableUntil = renewed.usableUntil;
            return { credentials: renewed.credentials, usableUntil: renewed.usableUntil };
          },
          preconditions,
          ...(liveness ? { progress: liveness.progress } : {}),
        });
      value = await inSpan(`call ${operation.name}`, stepAttributes(input, purpose), call, SpanKind.CLIENT);
    } catch (err) {
      if (now() > usableUntil && isAccessDenied(err)) throw outlivedTimeBound(step, runningTimeSeconds);
      throw toApplicationFailure(err, step, secrets);
    } finally {
      liveness?.stop();
    }
    assertNoSecrets(operation.name, value, secrets);
    return first ? { value, session: first.session } : { value };
  };
  return runOneShot;
}

/** What a step's spans say about it: which action, operation and step; never params or credentials. */
function stepAttributes(input: OneShotInput, purpose: SessionPurpose): Attributes {
  return { 'airlock.action_id': input.actionId, 'airlock.operation': input.action, 'airlock.purpose': purpose };
}

/** AWS's answers to a call its session policy does not allow, by service. */
const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation']);

function isAccessDenied(err: unknown): boolean {
  return !(err instanceof ApplicationFailure) && ACCESS_DENIED.has(classifyAwsError(err).type);
}

/**
 * Denied after the credentials' window closed: most likely by the time bound itself, because the
 * operation ran longer than it declared. A retry gets fresh credentials, so it is retryable.
 */
function outlivedTimeBound(step: string, runningTimeSeconds: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.SessionTimeBoundExceeded,
    message: `${step} failed: access denied after its credentials' window of ${runningTimeSeconds} s had passed; the session policy's time bound refuses calls that start later`,
    nonRetryable: false,
  });
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
    throw ApplicationFailure.create({ type: FailureType.SessionPolicyError, message: (err as Error).message, nonRetryable: true });
  }
}

/** Defence in depth against an operation that returns what it must not. */
function assertNoSecrets(name: string, value: unknown, secrets: (string | undefined)[]): void {
  const text = JSON.stringify(value) ?? ''; // undefined (a recheck that found nothing) has no text
  if (secrets.some((secret) => secret && text.includes(secret))) {
    throw ApplicationFailure.create({
      type: FailureType.CredentialLeak,
      message: `${name} returned its session credentials in its outcome; the result was discarded`,
      nonRetryable: true,
    });
  }
}
