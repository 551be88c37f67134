import type { OperationContext } from '../types';
import { SERVICE_SPECS, type AwsCallService } from './services';

/** What `aws.call` needs of any SDK v3 client: send one command, then let go of its sockets and credentials. */
export interface AnyAwsClient {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

/** Where and as whom a client of `aws.call` calls: the call's region, the one-shot credentials. */
type CallClientContext = Pick<OperationContext, 'credentials' | 'endpoint'> & { region: string };

type ClientConstructor = new (config: object) => AnyAwsClient;
type CommandConstructor = new (input: object) => unknown;

/**
 * A client of the service on the one-shot credentials, and the command class of the operation.
 * The SDK package is loaded on first use: a worker that never calls EC2 never pays for its model.
 */
export async function loadCall(
  service: AwsCallService,
  operation: string,
  context: CallClientContext,
): Promise<{ client: AnyAwsClient; command: CommandConstructor }> {
  const spec = SERVICE_SPECS[service];
  // The package is one of the eight in SERVICE_SPECS, each a dependency; its exports are looked up by name.
  const sdk = (await import(spec.sdkPackage)) as Record<string, unknown>;
  const Client = sdk[spec.clientClass] as ClientConstructor | undefined;
  const Command = sdk[`${operation}Command`] as CommandConstructor | undefined;
  if (typeof Client !== 'function' || typeof Command !== 'function') {
    throw new Error(`${spec.sdkPackage} has no ${typeof Client !== 'function' ? spec.clientClass : `${operation}Command`}`);
  }
  return { client: new Client(callClientConfig(service, context)), command: Command };
}

/** The settings of every client `aws.call` makes for a service: the call's own and its preview hook's. */
export interface CallClientConfig {
  region: string;
  credentials: OperationContext['credentials'];
  maxAttempts: number;
  endpoint?: string;
  forcePathStyle?: boolean;
  useQueueUrlAsEndpoint?: boolean;
}

/** A client of the service on the one-shot credentials, for the call or for its preview hook's reads. */
export function callClientConfig(service: AwsCallService, context: CallClientContext): CallClientConfig {
  return {
    region: context.region,
    credentials: context.credentials,
    // Temporal owns retries.
    maxAttempts: 1,
    ...(context.endpoint ? { endpoint: context.endpoint, ...(service === 's3' ? { forcePathStyle: true } : {}) } : {}),
    // The SQS client otherwise sends each call to the host its QueueUrl names: a host from the
    // agent's input would receive the signed request, session token included, instead of SQS.
    ...(service === 'sqs' ? { useQueueUrlAsEndpoint: false } : {}),
  };
}
