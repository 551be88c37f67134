/** Builders for the ARNs and URIs operations put in session policies and results. */

/** AWS partitions: `aws`, `aws-cn`, `aws-us-gov`, `aws-iso`, `aws-iso-b`, `aws-eusc`, … */
const PARTITION_PATTERN = /^aws(-[a-z]+)*$/;

/** Refuses anything that is not a partition name, so a bad setting cannot bend an ARN. */
export function assertPartition(partition: string): string {
  if (!PARTITION_PATTERN.test(partition)) {
    throw new Error(`invalid AWS partition ${JSON.stringify(partition)}: expected e.g. aws, aws-cn, aws-us-gov`);
  }
  return partition;
}

/** The longest partition name: the size check at the edge must hold wherever the worker runs. */
export const LONGEST_PARTITION = 'aws-us-gov';

/** `arn:<partition>:s3:::<bucket>`: one bucket, for its own actions such as s3:ListBucket. */
export function s3BucketArn(partition: string, bucket: string): string {
  return `arn:${assertPartition(partition)}:s3:::${bucket}`;
}

/** `arn:<partition>:s3:::<bucket>/<key>`: one object, taken literally (keys are checked for wildcards upstream). */
export function s3ObjectArn(partition: string, bucket: string, key: string): string {
  return `arn:${assertPartition(partition)}:s3:::${bucket}/${key}`;
}

/** `s3://<bucket>/<key>`, for summaries and results. */
export function s3Uri(bucket: string, key: string): string {
  return `s3://${bucket}/${key}`;
}

/** RFC 3986 percent-encoding of one path segment (encodeURIComponent leaves `!'()*` alone). */
export function encodePathSegment(segment: string): string {
  return encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The `x-amz-copy-source` value: `<bucket>/<key>` URL-encoded, with the key's slashes kept. */
export function s3CopySource(bucket: string, key: string): string {
  return `${encodePathSegment(bucket)}/${key.split('/').map(encodePathSegment).join('/')}`;
}
