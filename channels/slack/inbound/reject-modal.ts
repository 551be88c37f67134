import type { View } from '@slack/types';
import { SLACK_REASON_BLOCK, SLACK_REASON_INPUT, SLACK_REJECT_MODAL } from '../action-ids';
import { REJECT_REASON_MAX_CHARS } from '../../reason-limit';
import { escapeMrkdwn } from '../blocks';

/** What the modal carries back in `private_metadata` on submission. */
export interface RejectModalMetadata {
  actionId: string;
  channel?: string;
  ts?: string;
}

/**
 * The modal a Reject click opens: one required reason, because a rejection without one is
 * refused. `private_metadata` carries the action id and the message to update.
 */
export function rejectReasonModal(actionId: string, messageRef?: { channel: string; ts: string }): View {
  const metadata: RejectModalMetadata = { actionId, ...(messageRef ? { channel: messageRef.channel, ts: messageRef.ts } : {}) };
  return {
    type: 'modal',
    callback_id: SLACK_REJECT_MODAL,
    private_metadata: JSON.stringify(metadata),
    title: { type: 'plain_text', text: 'Reject request' },
    submit: { type: 'plain_text', text: 'Reject' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: `You are rejecting \`${escapeMrkdwn(actionId.replace(/`/g, 'ˋ'))}\`. The request ends, and the requester and the other reviewers see your reason.`,
          verbatim: true,
        },
      },
      {
        type: 'input',
        block_id: SLACK_REASON_BLOCK,
        optional: false,
        label: { type: 'plain_text', text: 'Reason for rejecting' },
        element: {
          type: 'plain_text_input',
          action_id: SLACK_REASON_INPUT,
          multiline: true,
          min_length: 1,
          max_length: REJECT_REASON_MAX_CHARS,
          placeholder: { type: 'plain_text', text: 'e.g. No data processing agreement covers this bucket' },
        },
      },
    ],
  };
}
