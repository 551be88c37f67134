import type { AwsCredentialIdentity } from '@smithy/types';
import type { OperationContext } from './types';

/**
 * Time a step needs left on its credentials to start: a step is one or two requests (a listing
 * page; a HEAD and a CopyObject), and AWS authorizes a request when it starts.
 */
export const RENEW_WHEN_LEFT_MS = 10_000;

/**
 * An AWS client for a batched operation, on credentials renewed batch by batch. Before each step
 * the operation asks for the client; when the current credentials have less than
 * RENEW_WHEN_LEFT_MS left, new ones are issued (and audited) and the client is rebuilt on them.
 * A batch is thus what one credential's window allows, and no credential outlives its batch by
 * more than the clock skew margin.
 */
export class ClientLease<C extends { destroy(): void }> {
  private current: { client: C; usableUntil: Date };
  private renewed = 0;

  constructor(
    private readonly context: Pick<OperationContext, 'credentials' | 'usableUntil' | 'renewCredentials'>,
    private readonly build: (credentials: AwsCredentialIdentity) => C,
    private readonly now: () => number = Date.now,
  ) {
    this.current = { client: build(context.credentials), usableUntil: context.usableUntil };
  }

  /** The client for the next step, on credentials with enough time left to start it. */
  async client(): Promise<C> {
    if (this.current.usableUntil.getTime() - this.now() < RENEW_WHEN_LEFT_MS) {
      const fresh = await this.context.renewCredentials();
      this.current.client.destroy();
      this.current = { client: this.build(fresh.credentials), usableUntil: fresh.usableUntil };
      this.renewed += 1;
    }
    return this.current.client;
  }

  /** How many times the credentials were renewed: the batches after the first. */
  get renewals(): number {
    return this.renewed;
  }

  /** Destroys the current client; its sockets close and the credentials it holds go with it. */
  destroy(): void {
    this.current.client.destroy();
  }
}

/** Runs `use` with a lease, then destroys its client. */
export async function withClientLease<C extends { destroy(): void }, T>(
  context: Pick<OperationContext, 'credentials' | 'usableUntil' | 'renewCredentials'>,
  build: (credentials: AwsCredentialIdentity) => C,
  use: (lease: ClientLease<C>) => Promise<T>,
): Promise<T> {
  const lease = new ClientLease(context, build);
  try {
    return await use(lease);
  } finally {
    lease.destroy();
  }
}
