/**
 * Identifiers shared by the Block Kit renderer (outbound, in the worker) and the interactions
 * handler (inbound, in the API): the button action_ids and the reject-reason modal's callback and
 * input ids. Each button's `value` is the action id.
 */
export const SLACK_APPROVE_ACTION = 'airlock_approve';
export const SLACK_REJECT_ACTION = 'airlock_reject';
export const SLACK_REJECT_MODAL = 'airlock_reject_modal';
export const SLACK_REASON_BLOCK = 'airlock_reason';
export const SLACK_REASON_INPUT = 'airlock_reason_input';
