import { isGrpcServiceError, type Client } from '@temporalio/client';

/** gRPC status codes (grpc-js is the Temporal client's dependency, not ours). */
const DEADLINE_EXCEEDED = 4;
const UNAVAILABLE = 14;

/** Whether the Temporal frontend answers within `timeoutMs` (a cheap GetSystemInfo). */
export async function temporalReachable(client: Client, timeoutMs = 2000): Promise<boolean> {
  try {
    await client.connection.withDeadline(Date.now() + timeoutMs, () => client.workflowService.getSystemInfo({}));
    return true;
  } catch {
    return false;
  }
}

/** A call that failed because no Temporal frontend could be reached in time (it, or its cause, is UNAVAILABLE or DEADLINE_EXCEEDED). */
export function isTemporalUnreachable(err: unknown): boolean {
  for (let current: unknown = err; current instanceof Error; current = current.cause) {
    if (isGrpcServiceError(current) && (current.code === UNAVAILABLE || current.code === DEADLINE_EXCEEDED)) return true;
  }
  return false;
}
