import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../domain/failure-types';

/** Type and message of a failed activity, for the action's state. Activities never put credentials in failures. */
export function describeFailure(err: unknown): { type: string; message: string } {
  const cause = err instanceof ActivityFailure ? (err.cause ?? err) : err;
  if (cause instanceof ApplicationFailure) return { type: cause.type ?? 'ApplicationFailure', message: cause.message };
  if (cause instanceof Error) return { type: cause.name, message: cause.message };
  return { type: FailureType.Unnamed, message: String(cause) };
}

/**
 * A failed activity as workflow code receives it: an ActivityFailure around its cause, or, for a
 * local activity that failed for good (a non-retryable error), the ApplicationFailure itself: the
 * SDK (1.24) hands that over unwrapped. Workflow code's own errors are neither, except the start's
 * refusal, which the workflow checks for first.
 */
export function isActivityFailure(err: unknown): err is ActivityFailure | ApplicationFailure {
  return err instanceof ActivityFailure || err instanceof ApplicationFailure;
}

/** The failure type an activity failed with (its ApplicationFailure's), if any. */
export function activityFailureType(err: unknown): string | undefined {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof ApplicationFailure ? (cause.type ?? undefined) : undefined;
}
