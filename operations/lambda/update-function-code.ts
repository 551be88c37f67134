import { createHash } from 'node:crypto';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { z } from 'zod';
import { LONGEST_PARTITION, s3Uri } from '../arn';
import { bucketName, objectKey } from '../s3-names';
import { loadS3Sdk } from '../s3-sdk';
import {
  defineOperation,
  fitsSessionPolicyLimit,
  MAX_SESSION_POLICY_CHARS,
  PreconditionFailedError,
  s3ObjectArn,
  withClient,
  type ExecutionContext,
  type IamPolicyDocument,
  type OperationContext,
  type OperationOutcome,
  type OperationPreview,
} from '../sdk';
import { loadLambdaSdk } from './sdk';
import { codeObjectClient, isFunctionMissing, isRevisionMismatch, lambdaClient, type CodeObjectSender, type LambdaSender } from './client';
import { httpStatus } from '../aws-error';
import { accountId, functionName, lambdaFunctionArn, objectVersionId, regionName } from './names';

const updateFunctionCodeFields = z.strictObject({
  functionName,
  accountId,
  region: regionName,
  /** The new code: a .zip deployment package in S3, in the function's region. No inline ZipFile: params land in workflow history. */
  s3Bucket: bucketName,
  s3Key: objectKey,
  /** One version of the object; without it, the object's current version as the preview read it. */
  s3ObjectVersion: objectVersionId.optional(),
  /** Publish a new version of the function after the update. */
  publish: z.boolean().optional(),
});

export type UpdateFunctionCodeParams = z.infer<typeof updateFunctionCodeFields>;

/** Params of `lambda.updateFunctionCode`: exactly these fields, each checked, and policies that fit STS. */
export const updateFunctionCodeParams = updateFunctionCodeFields.refine(
  (p) =>
    fitsSessionPolicyLimit(updateFunctionCodeSessionPolicy(p, LONGEST_PARTITION)) &&
    fitsSessionPolicyLimit(updateFunctionCodePreviewPolicy(p, LONGEST_PARTITION)),
  { error: `the object key is too long: the session policy would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit`, path: ['s3Key'] },
);

function functionArn(params: UpdateFunctionCodeParams, partition: string): string {
  return lambdaFunctionArn(partition, params.region, params.accountId, params.functionName);
}

/**
 * How the code object is read, by the preview and by Lambda on the caller's behalf (Lambda reads
 * the package with the permissions of whoever calls UpdateFunctionCode). Without a version that
 * is s3:GetObject (HeadObject and GetObject both). With one, every read names the version, and S3
 * authorizes a read of a given version as s3:GetObjectVersion alone ("the s3:GetObject permission
 * is not required in this scenario", GetObject API reference): s3:GetObject is then left out, so
 * the session cannot read the object's current version, only versions.
 */
function codeReadActions(params: UpdateFunctionCodeParams): string[] {
  return params.s3ObjectVersion === undefined ? ['s3:GetObject'] : ['s3:GetObjectVersion'];
}

/**
 * Update exactly this function's code from exactly this object; nothing else. GetFunctionConfiguration
 * is the re-read just before the update (see `updateAsPreviewed`). The function's ARN is unqualified:
 * it names $LATEST, which is what UpdateFunctionCode changes; `Publish` needs no other permission.
 */
export function updateFunctionCodeSessionPolicy(params: UpdateFunctionCodeParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionCode'], Resource: [functionArn(params, partition)] },
      { Effect: 'Allow', Action: codeReadActions(params), Resource: [s3ObjectArn(partition, params.s3Bucket, params.s3Key)] },
    ],
  };
}

/**
 * Read-only: the function's configuration, and the code object (HeadObject, and GetObject to hash
 * it). Not lambda:GetFunction, which would also hand out a URL to download the current code. No
 * s3:ListBucket either: a missing object then reads as 403, and the preview says it could not read it.
 */
export function updateFunctionCodePreviewPolicy(params: UpdateFunctionCodeParams, partition: string): IamPolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['lambda:GetFunctionConfiguration'], Resource: [functionArn(params, partition)] },
      { Effect: 'Allow', Action: codeReadActions(params), Resource: [s3ObjectArn(partition, params.s3Bucket, params.s3Key)] },
    ],
  };
}

function codeUri(params: UpdateFunctionCodeParams): string {
  return s3Uri(params.s3Bucket, params.s3Key) + (params.s3ObjectVersion === undefined ? '' : ` version ${params.s3ObjectVersion}`);
}

function summarize(params: UpdateFunctionCodeParams): string {
  const publish = params.publish ? ', and publish a version' : '';
  return `update the code of lambda function ${params.functionName} (${params.accountId}, ${params.region}) from ${codeUri(params)}${publish}`;
}

/** `lambda function orders-api (123456789012, us-east-1)`: for messages. */
function describeFunction(params: UpdateFunctionCodeParams): string {
  return `lambda function ${params.functionName} (${params.accountId}, ${params.region})`;
}

/** A Lambda CodeSha256: the SHA-256 of the package, in base64 (44 characters). */
const codeSha256 = z.string().regex(/^[A-Za-z0-9+/]{43}=$/, 'must be a SHA-256 digest in base64, as Lambda reports CodeSha256');

/**
 * What `lambda.updateFunctionCode` binds its execution to: the function as the preview read it,
 * and the new code as it read it (its ETag, and its SHA-256 computed from its bytes, which is what
 * Lambda reports as CodeSha256 once it runs that code). Null when the preview found no function,
 * or could not read the code.
 */
export const updateFunctionCodePreconditions = z.strictObject({
  function: z
    .strictObject({
      /** Lambda's RevisionId; null when Lambda reported none (moto does not). */
      revisionId: z.string().min(1).nullable(),
      /** The CodeSha256 of the code it ran; empty when Lambda reported none. */
      codeSha256: z.string(),
    })
    .nullable(),
  code: z.strictObject({ eTag: z.string().min(1), sha256: codeSha256 }).nullable(),
});

export type UpdateFunctionCodePreconditions = z.infer<typeof updateFunctionCodePreconditions>;

/** The function's configuration, or undefined when it does not exist. Anything else (403) passes through as the AWS error it is. */
async function readFunction(lambda: LambdaSender, arn: string): Promise<FunctionConfiguration | undefined> {
  try {
    const { GetFunctionConfigurationCommand } = await loadLambdaSdk();
    return await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: arn }));
  } catch (err) {
    if (isFunctionMissing(err)) return undefined;
    throw err;
  }
}

/** HeadObject of the code (its version, if given), or undefined when it does not exist (404). */
async function headOrAbsent(s3: CodeObjectSender, params: UpdateFunctionCodeParams): Promise<HeadObjectCommandOutput | undefined> {
  const { HeadObjectCommand } = await loadS3Sdk();
  try {
    return await s3.send(new HeadObjectCommand({ Bucket: params.s3Bucket, Key: params.s3Key, VersionId: params.s3ObjectVersion }));
  } catch (err) {
    if (httpStatus(err) === 404) return undefined;
    throw err;
  }
}

/**
 * Lambda's limit on a deployment package's unzipped size. A .zip larger than that cannot hold a
 * package within it (beyond a few bytes of headers), so the preview does not download one.
 */
export const LAMBDA_MAX_PACKAGE_BYTES = 262_144_000;

/** What the preview learnt about the code object. */
type CodeState =
  | { state: 'present'; head: HeadObjectCommandOutput; sha256: string }
  /** Exists, but its bytes were not hashed; `why` says why, for a warning. */
  | { state: 'unhashed'; head: HeadObjectCommandOutput; why: string }
  | { state: 'absent' }
  /** 403: missing (S3 answers 403 for a missing key to whoever may not list the bucket), or not readable. */
  | { state: 'unreadable' }
  /** 301: the bucket is in another region than the function. */
  | { state: 'elsewhere' };

/** SHA-256 in base64 of a streamed body, refusing to read more than `limit` bytes. */
async function sha256Base64(body: unknown, limit: number): Promise<string | undefined> {
  const hash = createHash('sha256');
  let bytes = 0;
  // In Node the SDK's body is a Readable (an IncomingMessage): async-iterable byte chunks.
  for await (const chunk of body as AsyncIterable<Uint8Array>) {
    bytes += chunk.byteLength;
    if (bytes > limit) return undefined; // leaving the loop destroys the stream
    hash.update(chunk);
  }
  return hash.digest('base64');
}

/**
 * HeadObject, then, for an object Lambda could take, its bytes hashed: GetObject conditioned on
 * the ETag the HEAD read, so the hash is of the content the facts describe.
 */
async function inspectCode(s3: CodeObjectSender, params: UpdateFunctionCodeParams): Promise<CodeState> {
  let head: HeadObjectCommandOutput | undefined;
  try {
    head = await headOrAbsent(s3, params);
  } catch (err) {
    const status = httpStatus(err);
    if (status === 403) return { state: 'unreadable' };
    if (status === 301) return { state: 'elsewhere' };
    throw err;
  }
  if (!head) return { state: 'absent' };
  if (head.ServerSideEncryption?.startsWith('aws:kms')) {
    return {
      state: 'unhashed',
      head,
      why: `it is encrypted with SSE-KMS${head.SSEKMSKeyId ? ` (key ${head.SSEKMSKeyId})` : ''}: the session grants no kms:Decrypt, so Lambda could not read it and the update would fail`,
    };
  }
  if (head.ContentLength !== undefined && head.ContentLength > LAMBDA_MAX_PACKAGE_BYTES) {
    return { state: 'unhashed', head, why: `it is larger than ${bytes(LAMBDA_MAX_PACKAGE_BYTES)}, the most Lambda takes unzipped: the update would fail` };
  }
  const { GetObjectCommand } = await loadS3Sdk();
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: params.s3Bucket, Key: params.s3Key, VersionId: params.s3ObjectVersion, IfMatch: head.ETag }));
    const sha256 = await sha256Base64(object.Body, LAMBDA_MAX_PACKAGE_BYTES);
    if (sha256 === undefined) {
      return { state: 'unhashed', head, why: `it grew past ${bytes(LAMBDA_MAX_PACKAGE_BYTES)} while being read: the update would fail` };
    }
    return { state: 'present', head, sha256 };
  } catch (err) {
    const status = httpStatus(err);
    if (status === 412 || status === 404)
      return { state: 'unhashed', head, why: 'it was replaced or deleted while the preview read it: request the update again' };
    if (status === 403) return { state: 'unhashed', head, why: 'its content may not be read (GetObject denied): Lambda could not read it either' };
    throw err;
  }
}

/** `1,234,567 bytes`: exact, as code packages are compared. */
function bytes(count: number): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? 'byte' : 'bytes'}`;
}

/** `python3.12, handler app.handler, 1,234 bytes, SHA-256 …, modified …`, leaving out what Lambda did not say. */
function describeConfiguration(fn: FunctionConfiguration): string {
  return [
    fn.Runtime,
    fn.Handler !== undefined ? `handler ${fn.Handler}` : undefined,
    fn.CodeSize !== undefined ? bytes(fn.CodeSize) : undefined,
    fn.CodeSha256 ? `SHA-256 ${fn.CodeSha256}` : undefined,
    fn.LastModified !== undefined ? `modified ${fn.LastModified}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

function describeHead(head: HeadObjectCommandOutput): string {
  return [
    head.ContentLength !== undefined ? bytes(head.ContentLength) : 'unknown size',
    head.ETag !== undefined ? `ETag ${head.ETag}` : undefined,
    head.LastModified !== undefined ? `modified ${head.LastModified.toISOString()}` : undefined,
  ]
    .filter(Boolean)
    .join(', ');
}

/**
 * The impact of an update, read with GetFunctionConfiguration, and HeadObject and GetObject on the
 * code. Facts: `functionExists`; when it exists `functionArn`, `runtime`, `handler`, `packageType`,
 * `state`, `lastUpdateStatus`, `currentCodeSha256`, `currentCodeSize`, `lastModified`,
 * `revisionId` (each when Lambda said it); `codeObjectExists` (true, false, or null when the object
 * could not be read); when it exists `newCodeBytes`, `newCodeETag`, `newCodeLastModified`,
 * `newCodeVersionId`, and `newCodeSha256` once hashed; `sameCode` when both digests are known;
 * `publish`.
 */
export async function previewUpdateFunctionCode(
  params: UpdateFunctionCodeParams,
  lambda: LambdaSender,
  s3: CodeObjectSender,
  partition: string,
): Promise<OperationPreview> {
  const arn = functionArn(params, partition);
  const label = describeFunction(params);
  const uri = codeUri(params);
  const [fn, code] = await Promise.all([readFunction(lambda, arn), inspectCode(s3, params)]);

  const facts: OperationPreview['facts'] = { functionExists: fn !== undefined };
  const notes: string[] = [];
  const warnings: string[] = [];

  if (fn) {
    if (fn.FunctionArn !== undefined) facts.functionArn = fn.FunctionArn;
    if (fn.Runtime !== undefined) facts.runtime = fn.Runtime;
    if (fn.Handler !== undefined) facts.handler = fn.Handler;
    if (fn.PackageType !== undefined) facts.packageType = fn.PackageType;
    if (fn.State !== undefined) facts.state = fn.State;
    if (fn.LastUpdateStatus !== undefined) facts.lastUpdateStatus = fn.LastUpdateStatus;
    if (fn.CodeSha256 !== undefined) facts.currentCodeSha256 = fn.CodeSha256;
    if (fn.CodeSize !== undefined) facts.currentCodeSize = fn.CodeSize;
    if (fn.LastModified !== undefined) facts.lastModified = fn.LastModified;
    if (fn.RevisionId !== undefined) facts.revisionId = fn.RevisionId;
    notes.push(`${label} now runs ${describeConfiguration(fn) || 'code Lambda did not describe'}`);
    if (fn.PackageType === 'Image') {
      warnings.push(`${label} is packaged as a container image: it cannot take a .zip package, so the update would fail`);
    }
    if (fn.State !== undefined && fn.State !== 'Active') {
      const reason = fn.StateReason ? ` (${fn.StateReason})` : '';
      warnings.push(`${label} is ${fn.State}${reason}, not Active: the update may fail, or find the function changed when its state settles`);
    }
    if (fn.LastUpdateStatus !== undefined && fn.LastUpdateStatus !== 'Successful') {
      const reason = fn.LastUpdateStatusReason ? ` (${fn.LastUpdateStatusReason})` : '';
      warnings.push(
        fn.LastUpdateStatus === 'InProgress'
          ? `an update of ${label} is in progress: Lambda refuses another until it ends, and the function will have changed by then`
          : `the last update of ${label} is ${fn.LastUpdateStatus}${reason}`,
      );
    }
  } else {
    warnings.push(`${label} does not exist: the update would fail`);
  }

  facts.codeObjectExists = code.state === 'absent' ? false : code.state === 'present' || code.state === 'unhashed' ? true : null;
  if (code.state === 'present' || code.state === 'unhashed') {
    const { head } = code;
    if (head.ContentLength !== undefined) facts.newCodeBytes = head.ContentLength;
    if (head.ETag !== undefined) facts.newCodeETag = head.ETag;
    if (head.LastModified !== undefined) facts.newCodeLastModified = head.LastModified.toISOString();
    if (head.VersionId !== undefined) facts.newCodeVersionId = head.VersionId;
  }
  if (code.state === 'present') {
    facts.newCodeSha256 = code.sha256;
    notes.push(`the new code is ${uri}: ${describeHead(code.head)}, SHA-256 ${code.sha256}`);
    if (fn?.CodeSha256 !== undefined) {
      facts.sameCode = fn.CodeSha256 === code.sha256;
      if (facts.sameCode) notes.push(`${label} already runs this code (same SHA-256): the update changes only its revision`);
    }
  } else if (code.state === 'unhashed') {
    notes.push(`the new code is ${uri}: ${describeHead(code.head)}`);
    warnings.push(`${uri} was not read: ${code.why}`);
  } else if (code.state === 'absent') {
    warnings.push(`${uri} does not exist: the update would fail`);
  } else if (code.state === 'unreadable') {
    warnings.push(`${uri} could not be read (it does not exist, or may not be read): the update would fail`);
  } else {
    warnings.push(
      `bucket ${params.s3Bucket} is not in ${params.region}: Lambda takes code only from a bucket in the function's region, so the update would fail`,
    );
  }

  facts.publish = params.publish === true;
  notes.push(
    params.publish
      ? 'publishes a new version after the update'
      : 'publishes no version: $LATEST changes, and aliases that point at published versions keep running their code',
  );

  const eTag = code.state === 'present' ? code.head.ETag : undefined;
  const preconditions: UpdateFunctionCodePreconditions = {
    function: fn ? { revisionId: fn.RevisionId ?? null, codeSha256: fn.CodeSha256 ?? '' } : null,
    code: code.state === 'present' && eTag !== undefined ? { eTag, sha256: code.sha256 } : null,
  };
  if (preconditions.function && preconditions.code) {
    notes.push(
      `the update is bound to this function as read (${fn?.RevisionId ? `revision ${fn.RevisionId}` : 'its code'}) and to this code (ETag ${preconditions.code.eTag}): ` +
        'if either changes before it runs, the action fails',
    );
  } else if (preconditions.code === null && code.state !== 'absent') {
    // An absent object already warns that the update would fail.
    warnings.push(`the update cannot run: no content of ${uri} was read, so none can be approved`);
  }
  return { facts, notes, warnings, preconditions };
}

/** The code object is missing, as the preview found it: the failure Lambda itself would give (not retried). */
class CodeObjectMissingError extends Error {
  override readonly name = 'NoSuchKey';
  /** Classified like the AWS error (activities/aws-errors.ts): a client error, not retryable. */
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 404 };
}

/** The function is missing, as the preview found it: the failure the update itself would give (not retried). */
class FunctionMissingError extends Error {
  override readonly name = 'ResourceNotFoundException';
  readonly $fault = 'client';
  readonly $metadata = { httpStatusCode: 404 };
}

/**
 * The function took code other than the reviewed: the object was replaced in the instant between
 * the ETag check and Lambda's read of it. The change is made and cannot be taken back here; the
 * action fails, saying what the function runs now. Not retried.
 */
export class UnreviewedCodeError extends Error {
  override readonly name = 'UnreviewedCodeDeployed';
  readonly $fault = 'client';
}

/** What the failure says: what was reviewed, and what the function is now. */
function functionChanged(label: string, reviewed: NonNullable<UpdateFunctionCodePreconditions['function']>, now: FunctionConfiguration): string {
  const was = reviewed.revisionId !== null ? `revision ${reviewed.revisionId}, code ${reviewed.codeSha256}` : `code ${reviewed.codeSha256}`;
  const is = now.RevisionId !== undefined ? `revision ${now.RevisionId}, code ${now.CodeSha256 ?? '(none)'}` : `code ${now.CodeSha256 ?? '(none)'}`;
  return `${label} changed after the preview: the preview read ${was}, it is now ${is}; nothing was changed`;
}

/** The non-secret outcome: what the function runs now, and the version published, if one was. */
function outcomeOf(params: UpdateFunctionCodeParams, partition: string, fn: FunctionConfiguration, publishedVersion?: string): OperationOutcome {
  return {
    summary: summarize(params),
    outputs: {
      functionArn: fn.FunctionArn ?? functionArn(params, partition),
      code: codeUri(params),
      codeSha256: fn.CodeSha256 ?? '',
      ...(fn.CodeSize !== undefined ? { codeSize: fn.CodeSize } : {}),
      ...(fn.RevisionId !== undefined ? { revisionId: fn.RevisionId } : {}),
      ...(publishedVersion !== undefined ? { version: publishedVersion } : {}),
    },
  };
}

/**
 * Updates the function to exactly the previewed code, if it is still the previewed function.
 *
 * 1. The function is read again (GetFunctionConfiguration): its RevisionId, which Lambda changes on
 *    every change of code or configuration, and its CodeSha256 must be as previewed. Where Lambda
 *    reports no RevisionId (moto), the CodeSha256 alone is compared.
 * 2. The code object's ETag must be as previewed (HeadObject).
 * 3. UpdateFunctionCode carries the previewed `RevisionId`: Lambda then checks atomically that the
 *    function did not change after step 1, and refuses with PreconditionFailedException if it did.
 *    There is no such condition for the object: it could be replaced between step 2 and Lambda's
 *    read of it. Naming `s3ObjectVersion` closes that window (a version never changes); without it,
 *    4. checks after the fact that Lambda took the reviewed bytes.
 * 4. The CodeSha256 Lambda answers must be the SHA-256 the preview computed, or UnreviewedCodeError.
 *
 * Lambda copies the package (the default S3ObjectStorageMode, COPY): replacing the object later
 * does not change what the function runs.
 */
export async function updateAsPreviewed(
  params: UpdateFunctionCodeParams,
  lambda: LambdaSender,
  s3: CodeObjectSender,
  reviewed: UpdateFunctionCodePreconditions,
  partition: string,
): Promise<OperationOutcome> {
  const arn = functionArn(params, partition);
  const label = describeFunction(params);
  const uri = codeUri(params);

  if (reviewed.code === null) {
    // No content was reviewed. Still missing: fail as the update would have. Otherwise: unreviewed content.
    const now = await headOrAbsent(s3, params).catch(() => null);
    if (now === undefined) throw new CodeObjectMissingError(`${uri} does not exist (nor did it when previewed); nothing was changed`);
    throw new PreconditionFailedError(
      `the preview read no content of ${uri} (it did not exist, or could not be read), so no code was approved; nothing was changed. Request the update again to preview it`,
    );
  }

  const now = await readFunction(lambda, arn);
  if (reviewed.function === null) {
    if (!now) throw new FunctionMissingError(`${label} does not exist (nor did it when previewed); nothing was changed`);
    throw new PreconditionFailedError(
      `${label} exists now, but did not when previewed, so nobody reviewed it; nothing was changed. Request the update again to preview it`,
    );
  }
  if (!now) throw new PreconditionFailedError(`${label} was deleted after the preview; nothing was changed`);
  const revisionMoved = reviewed.function.revisionId !== null && now.RevisionId !== reviewed.function.revisionId;
  if (revisionMoved || (now.CodeSha256 ?? '') !== reviewed.function.codeSha256) {
    throw new PreconditionFailedError(functionChanged(label, reviewed.function, now));
  }

  const head = await headOrAbsent(s3, params);
  if (!head) throw new PreconditionFailedError(`${uri} was deleted after the preview (the preview read ETag ${reviewed.code.eTag}); nothing was changed`);
  if (head.ETag !== reviewed.code.eTag) {
    throw new PreconditionFailedError(
      `${uri} changed after the preview: the preview read ETag ${reviewed.code.eTag}, it now has ETag ${head.ETag ?? '(none)'} (${describeHead(head)}); nothing was changed`,
    );
  }

  const { UpdateFunctionCodeCommand } = await loadLambdaSdk();
  let updated: FunctionConfiguration;
  try {
    updated = await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: arn,
        S3Bucket: params.s3Bucket,
        S3Key: params.s3Key,
        ...(params.s3ObjectVersion !== undefined ? { S3ObjectVersion: params.s3ObjectVersion } : {}),
        ...(params.publish !== undefined ? { Publish: params.publish } : {}),
        ...(reviewed.function.revisionId !== null ? { RevisionId: reviewed.function.revisionId } : {}),
      }),
    );
  } catch (err) {
    // Changed between the re-read and the update: Lambda refused to update anything.
    if (!isRevisionMismatch(err)) throw err;
    const changed = await readFunction(lambda, arn).catch(() => undefined); // only for the message
    throw new PreconditionFailedError(
      changed
        ? functionChanged(label, reviewed.function, changed)
        : `${label} changed after the preview: Lambda refused to update any revision but ${reviewed.function.revisionId ?? '(none)'}; nothing was changed`,
    );
  }
  if (updated.CodeSha256 !== reviewed.code.sha256) {
    throw new UnreviewedCodeError(
      `${label} now runs code with SHA-256 ${updated.CodeSha256 ?? '(none)'}, not the reviewed ${reviewed.code.sha256}: ` +
        `${uri} was replaced between the check of its ETag and Lambda's read of it. Roll the function back, and name s3ObjectVersion to pin the code`,
    );
  }
  // With Publish, the answer is the new version's configuration: its Version is the number published.
  return outcomeOf(params, partition, updated, params.publish ? updated.Version : undefined);
}

/**
 * After an attempt whose outcome is unknown: the update is in place when the function runs the
 * reviewed code, i.e. its CodeSha256 is the SHA-256 the preview computed from the object's bytes.
 * That is exact, where "its CodeSha256 differs from the previewed one and its RevisionId moved on"
 * would take anyone's change for this one. Returning undefined here after a successful update
 * would run it again, and the RevisionId precondition would then refuse it, failing an action
 * whose change went through (its own change taken for a changed world).
 *
 * The function may have had this code before (the preview's `sameCode`): it is still the state the
 * action asked for, so that too counts as applied. With `publish`, the version published is not
 * read back (that would need lambda:ListVersionsByFunction): the outcome then has no `version`.
 * Runs with the preview policy: GetFunctionConfiguration only.
 */
export async function findCodeApplied(
  params: UpdateFunctionCodeParams,
  lambda: LambdaSender,
  reviewed: UpdateFunctionCodePreconditions,
  partition: string,
): Promise<OperationOutcome | undefined> {
  if (reviewed.code === null || reviewed.function === null) return undefined;
  const now = await readFunction(lambda, functionArn(params, partition));
  if (!now || now.CodeSha256 !== reviewed.code.sha256) return undefined;
  return outcomeOf(params, partition, now);
}

async function preview(params: UpdateFunctionCodeParams, context: OperationContext): Promise<OperationPreview> {
  return withClient(await lambdaClient(context, params.region), async (lambda) =>
    withClient(await codeObjectClient(context, params.region), (s3) => previewUpdateFunctionCode(params, lambda, s3, context.partition)),
  );
}

async function execute(params: UpdateFunctionCodeParams, context: ExecutionContext<UpdateFunctionCodePreconditions>): Promise<OperationOutcome> {
  return withClient(await lambdaClient(context, params.region), async (lambda) =>
    withClient(await codeObjectClient(context, params.region), (s3) => updateAsPreviewed(params, lambda, s3, context.preconditions, context.partition)),
  );
}

/**
 * `lambda.updateFunctionCode`: deploy a .zip package from S3 to one function. Idempotent: updating
 * to the same code again leaves the same code; a retry after a lost reply finds it in place.
 */
export const lambdaUpdateFunctionCode = defineOperation<UpdateFunctionCodeParams, UpdateFunctionCodePreconditions>({
  name: 'lambda.updateFunctionCode',
  title: 'Update the code of a Lambda function',
  description:
    'Deploys a .zip package from S3 to one Lambda function (UpdateFunctionCode on $LATEST, optionally publishing a version). ' +
    'The session may update only that function and read only that object. ' +
    'It deploys only the code the preview read and hashed, to the function as the preview read it (its RevisionId); a change to either fails the action.',
  params: updateFunctionCodeParams,
  idempotent: true,
  examples: [
    { functionName: 'orders-api', accountId: '123456789012', region: 'us-east-1', s3Bucket: 'build-artifacts', s3Key: 'orders-api/2026-11-01.zip' },
    {
      functionName: 'orders_worker',
      accountId: '123456789012',
      region: 'eu-central-1',
      s3Bucket: 'build-artifacts-eu',
      s3Key: 'orders-worker/build-812.zip',
      s3ObjectVersion: '3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY',
      publish: true,
    },
  ],
  // Two reads and the start of one UpdateFunctionCode (Lambda reads the package from S3 within it);
  // the preview's GetObject starts within the same time, however long the download then takes.
  runningTimeSeconds: 30,
  summarize,
  sessionPolicy: updateFunctionCodeSessionPolicy,
  execute,
  previewPolicy: updateFunctionCodePreviewPolicy,
  preview,
  preconditions: updateFunctionCodePreconditions,
  findApplied: async (params, context) =>
    withClient(await lambdaClient(context, params.region), (lambda) => findCodeApplied(params, lambda, context.preconditions, context.partition)),
});
