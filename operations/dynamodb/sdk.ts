import type * as DynamoDbSdk from '@aws-sdk/client-dynamodb';

let loading: Promise<typeof DynamoDbSdk> | undefined;

/**
 * The client library, loaded on first use: DynamoDB's model costs a worker ~1.3 MiB of RSS at start, paid by every
 * worker and API process whether or not it ever runs this service's operations (as ec2/sdk.ts).
 * Modules of this folder import it type-only and take its values from here.
 */
export function loadDynamoDbSdk(): Promise<typeof DynamoDbSdk> {
  return (loading ??= import('@aws-sdk/client-dynamodb'));
}
