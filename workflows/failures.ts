import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';

/** One description of a failure for the workflow and the activities (the preview inside admission). */
export { describeFailure } from '../domain/failure-description';

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
