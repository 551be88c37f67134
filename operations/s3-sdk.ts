import type * as S3Sdk from '@aws-sdk/client-s3';

let loading: Promise<typeof S3Sdk> | undefined;

/**
 * The S3 client library, loaded on first use: S3's model costs a worker ~7.8 MiB of RSS at start, paid by every
 * worker and API process whether or not it ever runs an operation that touches S3 (as ec2/sdk.ts). At the root
 * because three service folders use it: s3/, lambda/ (the code object) and dynamodb/ (the export's destination).
 * Their modules import it type-only and take its values from here.
 */
export function loadS3Sdk(): Promise<typeof S3Sdk> {
  return (loading ??= import('@aws-sdk/client-s3'));
}
