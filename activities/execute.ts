import type { ExecuteOperationInput, ExecutionResult } from '../domain/types';
import { currentActivity } from './activity-context';
import { logInfo } from './activity-log';
import { oneShotRunner, type OneShotDeps } from './one-shot-session';

export type ExecuteActivityDeps = OneShotDeps;

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
 */
export function createExecuteActivities(deps: ExecuteActivityDeps) {
  const runOneShot = oneShotRunner(deps);
  return {
    async executeOperation(input: ExecuteOperationInput): Promise<ExecutionResult> {
      const isRetry = (currentActivity()?.info.attempt ?? 1) > 1;
      if (isRetry && deps.catalogue.get(input.action)?.findApplied) {
        const { value: applied, session } = await runOneShot(input, 'recheck', async (operation, params, context) => operation.findApplied?.(params, context));
        if (applied) {
          logInfo('operation already applied by an earlier attempt; not run again', { action: input.action, roleSessionName: session.roleSessionName });
          return { summary: applied.summary, outputs: { ...applied.outputs, alreadyApplied: true }, session, completedAt: new Date().toISOString() };
        }
      }
      const { value: outcome, session } = await runOneShot(input, 'execute', (operation, params, context) => operation.execute(params, context));
      logInfo('operation succeeded', { action: input.action, roleSessionName: session.roleSessionName });
      return { summary: outcome.summary, outputs: outcome.outputs, session, completedAt: new Date().toISOString() };
    },
  };
}
