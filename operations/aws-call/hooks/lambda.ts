import type * as LambdaSdk from '@aws-sdk/client-lambda';
import { canonicalJson } from '../../../domain/canonical-json';
import { withClient } from '../../with-client';
import type { AwsCallParams } from '../params';
import { clip, noFindings, type HookContext, type HookFindings, type PreviewHook } from './hook';
import { errorName } from '../../aws-error';
import { callClientConfig } from '../sdk-client';

type Configuration = LambdaSdk.FunctionConfiguration;

/**
 * Fields that change on their own (an update settling, an idle function going Inactive, AWS
 * moving a function to a new runtime version): binding them would fail calls nobody raced.
 * Environment variable values are left out too (they may be secrets, and the bound's digest
 * lands in history); RevisionId still changes with them on AWS.
 */
const UNBOUND_FIELDS = [
  'State',
  'StateReason',
  'StateReasonCode',
  'LastUpdateStatus',
  'LastUpdateStatusReason',
  'LastUpdateStatusReasonCode',
  'RuntimeVersionConfig',
];

/** Input fields that name the call rather than change the function. */
const NOT_SETTINGS = new Set(['FunctionName', 'RevisionId', 'Qualifier']);

/** The function as GetFunctionConfiguration reads it ($LATEST), or undefined when it does not exist. */
async function readFunction(
  input: Record<string, unknown>,
  context: HookContext,
  withConcurrency: boolean,
): Promise<{ config: Configuration; reserved: number | undefined } | undefined> {
  const sdk = await import('@aws-sdk/client-lambda');
  const client = new sdk.LambdaClient(callClientConfig('lambda', context));
  // The name or ARN exactly as the call gives it: the session may read that function and no other.
  const FunctionName = input.FunctionName as string;
  return withClient(client, async (lambda) => {
    try {
      const { $metadata: _, ...config } = await lambda.send(new sdk.GetFunctionConfigurationCommand({ FunctionName }));
      const reserved = withConcurrency ? (await lambda.send(new sdk.GetFunctionConcurrencyCommand({ FunctionName }))).ReservedConcurrentExecutions : undefined;
      return { config, reserved };
    } catch (err) {
      if (errorName(err) === 'ResourceNotFoundException') return undefined;
      throw err;
    }
  });
}

/** What a recheck compares: the configuration and code, less what changes on its own and less variable values. */
function boundOf(config: Configuration, reserved: number | undefined): unknown {
  const kept: Record<string, unknown> = { ...config };
  for (const field of UNBOUND_FIELDS) delete kept[field];
  if (config.Environment) kept.Environment = { ...config.Environment, Variables: Object.keys(config.Environment.Variables ?? {}).sort() };
  return { configuration: kept, reservedConcurrency: reserved ?? null };
}

/** `python3.12, handler app.handler, 128 MB, 3 s timeout, code abc= (5 bytes), …`: the function as it is. */
function summary(config: Configuration): string {
  const runs = config.PackageType === 'Image' ? 'a container image' : `${config.Runtime ?? 'no runtime'}, handler ${config.Handler ?? '(none)'}`;
  return (
    `function ${config.FunctionName ?? '?'} now: ${runs}, ${config.MemorySize ?? '?'} MB, ${config.Timeout ?? '?'} s timeout, ` +
    `code ${config.CodeSha256 ?? '?'} (${config.CodeSize ?? '?'} bytes), last modified ${config.LastModified ?? '?'}, state ${config.State ?? '?'}`
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A setting as the note shows it: plain values as they are, structures as clipped JSON. */
function show(value: unknown): string {
  if (value === undefined || value === null) return '(none)';
  return typeof value === 'object' ? clip(canonicalJson(value), 200) : String(value);
}

/** `Timeout: 3 → 30` for each setting the input changes; environment variables by name only, never by value. */
function changes(input: Record<string, unknown>, config: Configuration): { fields: string[]; notes: string[] } {
  const fields: string[] = [];
  const notes: string[] = [];
  for (const [field, value] of Object.entries(input)) {
    if (NOT_SETTINGS.has(field)) continue;
    const current = (config as Record<string, unknown>)[field];
    if (field === 'Environment') {
      const before = config.Environment?.Variables ?? {};
      const after = ((value as { Variables?: Record<string, unknown> } | null)?.Variables ?? {}) as Record<string, unknown>;
      const added = Object.keys(after).filter((name) => !(name in before));
      const removed = Object.keys(before).filter((name) => !(name in after));
      const changed = Object.keys(after).filter((name) => name in before && before[name] !== after[name]);
      if (added.length + removed.length + changed.length === 0) continue;
      fields.push(field);
      const parts = [
        added.length > 0 ? `adds ${added.join(', ')}` : '',
        removed.length > 0 ? `removes ${removed.join(', ')}` : '',
        changed.length > 0 ? `changes ${changed.join(', ')}` : '',
      ].filter(Boolean);
      notes.push(`environment variables: ${parts.join('; ')} (values not shown)`);
    } else if (field === 'Layers') {
      const before = (config.Layers ?? []).map((layer) => layer.Arn);
      if (canonicalJson(before) === canonicalJson(value)) continue;
      fields.push(field);
      notes.push(`Layers: ${show(before)} → ${show(value)}`);
    } else {
      // A structure is compared on the members the input sets (VpcConfig also reports its VpcId).
      const before = isRecord(value) && isRecord(current) ? Object.fromEntries(Object.keys(value).map((key) => [key, current[key]])) : current;
      if (canonicalJson(before ?? null) === canonicalJson(value ?? null)) continue;
      fields.push(field);
      notes.push(`${field}: ${show(before)} → ${show(value)}`);
    }
  }
  return { fields, notes };
}

/** Facts every Lambda hook gives: the function as it is now. */
function functionFacts(config: Configuration): HookFindings['facts'] {
  return {
    functionExists: true,
    functionArn: config.FunctionArn ?? null,
    runtime: config.Runtime ?? null,
    handler: config.Handler ?? null,
    packageType: config.PackageType ?? null,
    codeSha256: config.CodeSha256 ?? null,
    codeSize: config.CodeSize ?? null,
    memorySize: config.MemorySize ?? null,
    timeout: config.Timeout ?? null,
    state: config.State ?? null,
    lastUpdateStatus: config.LastUpdateStatus ?? null,
    lastModified: config.LastModified ?? null,
    revisionId: config.RevisionId ?? null,
    environmentVariables: Object.keys(config.Environment?.Variables ?? {}).length,
  };
}

type Intent = (input: Record<string, unknown>, config: Configuration, findings: HookFindings, reserved: number | undefined) => void;

/** A hook that reads the function, then lets `intent` say what the call would do to it. */
function functionHook(intent: Intent, options: { rechecks: boolean; concurrency?: boolean }): PreviewHook {
  const concurrency = options.concurrency ?? false;
  return {
    reads: concurrency ? ['lambda:GetFunctionConfiguration', 'lambda:GetFunctionConcurrency'] : ['lambda:GetFunctionConfiguration'],
    rechecks: options.rechecks,
    look: async (params: AwsCallParams, context: HookContext) => {
      const findings = noFindings();
      const input = params.input;
      const found = await readFunction(input, context, concurrency);
      if (!found) {
        findings.facts.functionExists = false;
        findings.bound = { function: 'absent' };
        findings.warnings.push(`lambda function ${String(input.FunctionName)} does not exist: the call would fail`);
        return findings;
      }
      const { config, reserved } = found;
      findings.facts = functionFacts(config);
      findings.bound = boundOf(config, reserved);
      findings.notes.push(summary(config));
      if (typeof input.Qualifier === 'string') findings.notes.push(`the preview read $LATEST; the call names Qualifier ${input.Qualifier}`);
      if (config.LastUpdateStatus === 'InProgress') findings.warnings.push('an update of this function is still in progress: the call may fail');
      if (typeof input.RevisionId === 'string' && config.RevisionId !== undefined && input.RevisionId !== config.RevisionId) {
        findings.warnings.push(`the input's RevisionId ${input.RevisionId} is not the function's (${config.RevisionId}): the call would fail`);
      }
      intent(input, config, findings, reserved);
      return findings;
    },
  };
}

const updateCode: Intent = (input, config, findings) => {
  const source =
    typeof input.S3Bucket === 'string'
      ? `s3://${input.S3Bucket}/${String(input.S3Key)}${typeof input.S3ObjectVersion === 'string' ? ` version ${input.S3ObjectVersion}` : ''}`
      : typeof input.ImageUri === 'string'
        ? `image ${input.ImageUri}`
        : input.ZipFile !== undefined
          ? 'a .zip file in the request'
          : 'no code named';
  findings.notes.push(`replaces code ${config.CodeSha256 ?? '?'} with ${source}${input.Publish === true ? ', and publishes a version' : ''}`);
};

const updateConfiguration: Intent = (input, config, findings) => {
  const { fields, notes } = changes(input, config);
  findings.facts.changedSettings = fields.join(',');
  findings.notes.push(...(fields.length > 0 ? notes : ['the input changes no setting: every value it names is already the current one']));
};

const deleteFunction: Intent = (input, config, findings) => {
  findings.warnings.push(
    typeof input.Qualifier === 'string'
      ? `deletes version ${input.Qualifier} of ${config.FunctionName ?? '?'}`
      : `deletes function ${config.FunctionName ?? '?'} with every version and alias`,
  );
};

const putConcurrency: Intent = (input, _config, findings, reserved) => {
  findings.facts.reservedConcurrency = reserved ?? null;
  const next = input.ReservedConcurrentExecutions;
  findings.notes.push(`reserved concurrency: ${reserved ?? 'none (the account pool)'} → ${show(next)}`);
  if (next === 0) findings.warnings.push('reserved concurrency 0 throttles every invocation: the function stops running');
};

const invoke: Intent = (input, config, findings) => {
  const type = typeof input.InvocationType === 'string' ? input.InvocationType : 'RequestResponse';
  const payload = input.Payload;
  // The payload is the caller's (sensitive params): its size only.
  if (payload !== undefined) findings.facts.payloadBytes = Buffer.byteLength(typeof payload === 'string' ? payload : canonicalJson(payload), 'utf8');
  findings.notes.push(
    type === 'DryRun' ? 'a DryRun invocation: permissions are checked, the function does not run' : `runs code ${config.CodeSha256 ?? '?'} (${type})`,
  );
};

/** Lambda Write calls: the function as it is now; updates and deletes bound to it, invocations not (they change no function). */
export const lambdaHooks: Record<string, PreviewHook> = {
  UpdateFunctionCode: functionHook(updateCode, { rechecks: true }),
  UpdateFunctionConfiguration: functionHook(updateConfiguration, { rechecks: true }),
  DeleteFunction: functionHook(deleteFunction, { rechecks: true }),
  PutFunctionConcurrency: functionHook(putConcurrency, { rechecks: true, concurrency: true }),
  Invoke: functionHook(invoke, { rechecks: false }),
};
