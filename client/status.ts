import type { ActionStatus, ActionView } from './types';

/** The statuses nothing follows: the action's outcome. */
export const TERMINAL_STATUSES: readonly ActionStatus[] = ['succeeded', 'failed', 'denied', 'rejected', 'expired', 'cancelled'];

/** Whether the action has reached its outcome: nothing about it will change any more. */
export function isTerminal(view: ActionView): boolean {
  return TERMINAL_STATUSES.includes(view.status);
}
