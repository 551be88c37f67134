import type { ExecuteOperationInput, ExecutionResult } from '../workflows/types';
import { logInfo } from './activity-log';
import { oneShotRunner, type OneShotDeps } from './one-shot-session';

export type ExecuteActivityDeps = OneShotDeps;

/**
 * The execute activity. One call = one operation: assume the executor role with the operation's
 * session policy, run it, return names and results only. The credentials exist only in the
 * runner's memory: not in the result, not in logs, not in failures.
 */
export function createExecuteActivities(deps: ExecuteActivityDeps) {
  const runOneShot = oneShotRunner(deps);
  return {
    async executeOperation(input: ExecuteOperationInput): Promise<ExecutionResult> {
      const { value: outcome, session } = await runOneShot(input, 'execute', (operation, params, context) =>
        operation.execute(params, context),
      );
      logInfo('operation succeeded', { action: input.action, roleSessionName: session.roleSessionName });
      return { summary: outcome.summary, outputs: outcome.outputs, session, completedAt: new Date().toISOString() };
    },
  };
}
