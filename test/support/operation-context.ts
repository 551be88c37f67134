import { parsePreconditions } from '../../operations/preconditions';
import type { ExecutionContext, Operation, OperationContext, OperationPreview } from '../../operations/types';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { TEST_REGION } from './test-aws';

/**
 * The context an operation gets, for tests that call operations directly on moto with its base
 * credentials (the one-shot STS session around them is the activities' job, tested there). Its
 * credentials never run out, and a renewal hands back the same ones.
 */
export function directContext(endpoint: string, actionId = 'action-direct-test'): OperationContext {
  return {
    actionId,
    region: TEST_REGION,
    partition: 'aws',
    endpoint,
    credentials: MOTO_BASE_CREDENTIALS,
    usableUntil: new Date(Date.now() + 60 * 60 * 1000),
    renewCredentials: async () => ({ credentials: MOTO_BASE_CREDENTIALS, usableUntil: new Date(Date.now() + 60 * 60 * 1000) }),
  };
}

/** The execution context bound to what a preview returned, parsed by the operation's own schema (as the activity does). */
export function boundTo<P, B>(operation: Operation<P, B>, context: OperationContext, preview: OperationPreview): ExecutionContext<B> {
  return { ...context, preconditions: parsePreconditions(operation, preview.preconditions, 'execution') as B };
}
