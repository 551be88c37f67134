import type * as LambdaSdk from '@aws-sdk/client-lambda';

let loading: Promise<typeof LambdaSdk> | undefined;

/**
 * The client library, loaded on first use: Lambda's model costs a worker ~3.6 MiB of RSS at start, paid by every
 * worker and API process whether or not it ever runs this service's operations (as ec2/sdk.ts).
 * Modules of this folder import it type-only and take its values from here.
 */
export function loadLambdaSdk(): Promise<typeof LambdaSdk> {
  return (loading ??= import('@aws-sdk/client-lambda'));
}
