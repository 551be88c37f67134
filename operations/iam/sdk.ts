import type * as IamSdk from '@aws-sdk/client-iam';

let loading: Promise<typeof IamSdk> | undefined;

/**
 * The client library, loaded on first use: IAM's model costs a worker ~6.1 MiB of RSS at start, paid by every
 * worker and API process whether or not it ever runs this service's operations (as ec2/sdk.ts).
 * Modules of this folder import it type-only and take its values from here.
 */
export function loadIamSdk(): Promise<typeof IamSdk> {
  return (loading ??= import('@aws-sdk/client-iam'));
}
