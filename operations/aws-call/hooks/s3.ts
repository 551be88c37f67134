import type * as S3Sdk from '@aws-sdk/client-s3';
import { withClient } from '../../with-client';
import { noFindings, type HookContext, type HookFindings, type PreviewHook } from './hook';
import { errorName, httpStatus } from '../../aws-error';
import { lookAtBucketPolicy } from './s3-bucket-policy';
import { callClientConfig } from '../sdk-client';

/**
 * Runs `use` with the S3 SDK and a client on the hook's credentials, destroyed after. Path-style
 * on a custom endpoint (moto, MinIO), as the call itself is made (sdk-client.ts).
 */
async function withS3<T>(context: HookContext, use: (sdk: typeof S3Sdk, s3: S3Sdk.S3Client) => Promise<T>): Promise<T> {
  const sdk = await import('@aws-sdk/client-s3');
  const client = new sdk.S3Client(callClientConfig('s3', context));
  return withClient(client, (s3) => use(sdk, s3));
}

/** `1,234 bytes`: sizes as reviewers read them. */
function bytes(n: number): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? 'byte' : 'bytes'}`;
}

/**
 * The object a DeleteObject or PutObject is about to delete or overwrite, read with HeadObject
 * (authorized as s3:GetObject on exactly that object). Bound: its ETag, or that there is none, so
 * a replaced object is never deleted or overwritten unseen.
 */
async function lookAtObject(input: Record<string, unknown>, context: HookContext, verb: 'deletes' | 'overwrites'): Promise<HookFindings> {
  const findings = noFindings();
  // The derivation has refused any call whose Bucket and Key are not plain strings.
  const bucket = String(input.Bucket);
  const key = String(input.Key);
  const uri = `s3://${bucket}/${key}`;
  if (verb === 'deletes' && input.VersionId !== undefined) {
    // A version is authorized as s3:DeleteObjectVersion / s3:GetObjectVersion, which neither
    // session grants: AWS would deny the look and the call alike. Nothing is read or bound.
    findings.warnings.push(
      `the input names a version (VersionId): AWS authorizes that as s3:DeleteObjectVersion, which the session policy above does not grant, so AWS will deny the call`,
    );
    return findings;
  }
  if (verb === 'overwrites' && typeof input.Body === 'string') findings.facts.newObjectBytes = Buffer.byteLength(input.Body, 'utf8');
  return withS3(context, async (sdk, s3) => {
    try {
      const head = await s3.send(
        new sdk.HeadObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(typeof input.ExpectedBucketOwner === 'string' ? { ExpectedBucketOwner: input.ExpectedBucketOwner } : {}),
        }),
      );
      const etag = head.ETag ?? null;
      const lastModified = head.LastModified?.toISOString() ?? null;
      Object.assign(findings.facts, {
        objectExists: true,
        objectBytes: head.ContentLength ?? null,
        objectETag: etag,
        contentType: head.ContentType ?? null,
        lastModified,
      });
      findings.bound = { object: { etag } };
      const size = head.ContentLength === undefined ? 'size unknown' : bytes(head.ContentLength);
      findings.notes.push(`${verb} ${uri} (${size}, ETag ${etag ?? 'none'}, last modified ${lastModified ?? 'unknown'})`);
      if (head.VersionId && head.VersionId !== 'null' && verb === 'deletes') {
        findings.notes.push(`the bucket keeps versions: the delete adds a delete marker, and version ${head.VersionId} stays retrievable`);
      }
    } catch (err) {
      const status = httpStatus(err);
      if (status === 404 || errorName(err) === 'NotFound' || errorName(err) === 'NoSuchKey') {
        Object.assign(findings.facts, { objectExists: false, objectBytes: null, objectETag: null, contentType: null, lastModified: null });
        findings.bound = { object: 'absent' };
        findings.notes.push(verb === 'deletes' ? `no object at ${uri} (or no such bucket): the delete changes nothing` : `creates ${uri}: no object there yet`);
      } else if (status === 403) {
        // S3 answers 403, not 404, for a missing key to a session that may not list the bucket
        // (this one may read only the object). Bound as it is: the object appearing changes it.
        Object.assign(findings.facts, { objectExists: null, objectBytes: null, objectETag: null, contentType: null, lastModified: null });
        findings.bound = { object: 'unreadable' };
        findings.warnings.push(
          `HeadObject on ${uri} was refused (403): on AWS that is how S3 answers for a missing key to a session that may not list the bucket; or a bucket policy denies the read`,
        );
      } else {
        throw err;
      }
    }
    return findings;
  });
}

/** S3 Write calls: the object or the bucket policy as it is now, each bound so a changed one is not replaced unseen. */
export const s3Hooks: Record<string, PreviewHook> = {
  DeleteObject: { reads: ['s3:GetObject'], rechecks: true, look: (params, context) => lookAtObject(params.input, context, 'deletes') },
  PutObject: { reads: ['s3:GetObject'], rechecks: true, look: (params, context) => lookAtObject(params.input, context, 'overwrites') },
  PutBucketPolicy: {
    reads: ['s3:GetBucketPolicy'],
    rechecks: true,
    look: (params, context) => withS3(context, (sdk, s3) => lookAtBucketPolicy(sdk, s3, params.input, 'put')),
  },
  DeleteBucketPolicy: {
    reads: ['s3:GetBucketPolicy'],
    rechecks: true,
    look: (params, context) => withS3(context, (sdk, s3) => lookAtBucketPolicy(sdk, s3, params.input, 'delete')),
  },
};
