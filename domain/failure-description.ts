import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { FailureType } from './failure-types';

/**
 * Type and message of a failure, for the action's state and its audit trail: a failed activity as
 * the workflow receives it (unwrapped to its cause), or an error an activity caught itself (the
 * preview inside admission). Activities never put credentials in failures. Workflow-safe.
 */
export function describeFailure(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure ? (err.cause ?? err) : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: FailureType.Unnamed, message: String(cause) };
}
