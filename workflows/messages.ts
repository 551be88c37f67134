import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ActionState, CancelInput, DecideInput } from '../domain/types';

/** The workflow type name clients start. */
export const PRIVILEGED_ACTION_WORKFLOW = 'privilegedAction';

/** Full state of an action, for the API and channel handlers. */
export const statusQuery = defineQuery<ActionState>('status');

/** A reviewer's vote. The validator refuses bad votes before anything is written to history. */
export const decideUpdate = defineUpdate<ActionState, [DecideInput]>('decide');

/** Cancel a request that has not started executing. Refused once it is executing or closed. */
export const cancelUpdate = defineUpdate<ActionState, [CancelInput]>('cancel');

/** Returns once policy has been evaluated: lets the API answer a new request with its first real status. */
export const admittedUpdate = defineUpdate<ActionState, []>('admitted');
