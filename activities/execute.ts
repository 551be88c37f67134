import { operationSucceededEvent } from '../domain/operation-result-event';
import type { ExecuteOperationInput, ExecutionResult } from '../domain/types';
import { currentActivity } from './activity-context';
import { logInfo, logWarn } from './activity-log';
import { storeAuditEvents } from './audit';
import type { LifecycleMetrics } from './lifecycle-metrics';
import { oneShotRunner, type OneShotDeps } from './one-shot-session';

export interface ExecuteActivityDeps extends OneShotDeps {
  /** Lifecycle series fed by the result event this activity stores; unset: none recorded. */
  metrics?: LifecycleMetrics | undefined;
}

/**
 * The execute activity. One call = one operation: assume the executor role with the operation's
 * session policy (bounded to its running time), run it, return names and results only. The
 * credentials exist only in the runner's memory: not in the result, not in logs, not in failures.
 *
 * What was reviewed is what runs: the preview's preconditions (`input.preconditions`) reach the
 * operation parsed by its own schema, and it fails `precondition_failed`, writing nothing, when
 * they no longer hold.
 *
 * A retry first asks the operation whether an earlier attempt already applied the change (under a
 * read-only `recheck` session), so a worker killed after AWS took the request but before the
 * result was recorded does not make the change twice.
 *
 * With `resultEventId`, the result is on record before the activity returns: it stores the
 * `operation.succeeded` event under the id the workflow reserved (the first attempt to store it wins).
 */
export function createExecuteActivities(deps: ExecuteActivityDeps) {
  const runOneShot = oneShotRunner(deps);
  /**
   * The operation has run: a failing store must not turn that into a failed activity (a
   * non-idempotent one would then be recorded as failed). Unstored, the workflow writes the event.
   */
  const onRecord = async (input: ExecuteOperationInput, result: ExecutionResult): Promise<ExecutionResult> => {
    if (!input.resultEventId) return result;
    try {
      await storeAuditEvents(deps.audit, deps.metrics, [operationSucceededEvent(input.resultEventId, input.actionId, result)]);
      return { ...result, recorded: true };
    } catch (err) {
      logWarn('the result could not be recorded here; the workflow records it', {
        action: input.action,
        error: err instanceof Error ? err.message : String(err),
      });
      return result;
    }
  };
  return {
    async executeOperation(input: ExecuteOperationInput): Promise<ExecutionResult> {
      const isRetry = (currentActivity()?.info.attempt ?? 1) > 1;
      if (isRetry && deps.catalogue.get(input.action)?.findApplied) {
        const { value: applied, session } = await runOneShot(input, 'recheck', async (operation, params, context) => operation.findApplied?.(params, context));
        if (applied) {
          logInfo('operation already applied by an earlier attempt; not run again', {
            action: input.action,
            ...(session ? { roleSessionName: session.roleSessionName } : {}),
          });
          return onRecord(input, {
            summary: applied.summary,
            outputs: { ...applied.outputs, alreadyApplied: true },
            ...(session ? { session } : {}),
            completedAt: new Date().toISOString(),
          });
        }
      }
      const { value: outcome, session } = await runOneShot(input, 'execute', (operation, params, context) => operation.execute(params, context));
      logInfo('operation succeeded', { action: input.action, ...(session ? { roleSessionName: session.roleSessionName } : {}) });
      return onRecord(input, {
        summary: outcome.summary,
        outputs: outcome.outputs,
        ...(session ? { session } : {}),
        ...(outcome.toolResult ? { toolResult: outcome.toolResult } : {}),
        completedAt: new Date().toISOString(),
      });
    },
  };
}
