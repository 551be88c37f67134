import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ActionState, CancelInput, DecideInput } from '../domain/types';

/** The workflow type name clients start. */
export const PRIVILEGED_ACTION_WORKFLOW = 'privilegedAction';

/**
 * How long a worker may hold one of the workflow's tasks (AIRLOCK_WORKFLOW_TASK_TIMEOUT). A task
 * handed to a worker as it dies (a vote sent just as it was killed) is lost until this timeout
 * moves it to another worker: 3 s, not the SDK's 10 s, so such a vote is answered soon after the
 * next worker polls. Each of Airlock's tasks takes milliseconds, and the SDK keeps a task that
 * runs a longer local activity (admission's preview) alive itself, at 80 % of this timeout.
 */
export const DEFAULT_WORKFLOW_TASK_TIMEOUT = '3s';

/** Full state of an action, for the API and channel handlers. */
export const statusQuery = defineQuery<ActionState>('status');

/** A reviewer's vote. The validator refuses bad votes before anything is written to history. */
export const decideUpdate = defineUpdate<ActionState, [DecideInput]>('decide');

/** Cancel a request that has not started executing. Refused once it is executing or closed. */
export const cancelUpdate = defineUpdate<ActionState, [CancelInput]>('cancel');

/** Returns once policy has been evaluated: lets the API answer a new request with its first real status. */
export const admittedUpdate = defineUpdate<ActionState, []>('admitted');
