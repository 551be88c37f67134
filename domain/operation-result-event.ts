/**
 * The `operation.succeeded` audit event, built where the result is: the execute activity stores it
 * itself before it returns, under an id the workflow reserved in its numbering, so the workflow's
 * last task need not write it. A retried attempt builds the same id: the store keeps the first,
 * the attempt that really made the change. No Node or SDK imports: the workflow bundles this module.
 */
import { AuditEventKind, SYSTEM_ACTOR, type AuditEventInput } from './audit-events';
import type { ExecutionResult, JsonObject } from './types';

/**
 * What an auditor reads of a result: names and outputs, never anything secret. An MCP tool's
 * answer (`toolResult`) is left out: its digest and size are among the outputs.
 */
export function resultData(result: ExecutionResult): JsonObject {
  return {
    summary: result.summary,
    outputs: { ...result.outputs },
    ...(result.session ? { session: { ...result.session } } : {}),
    completedAt: result.completedAt,
  };
}

export function operationSucceededEvent(eventId: string, actionId: string, result: ExecutionResult): AuditEventInput {
  return { eventId, kind: AuditEventKind.OperationSucceeded, actionId, actor: SYSTEM_ACTOR, occurredAt: result.completedAt, data: resultData(result) };
}
