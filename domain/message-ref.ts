/**
 * Where a posted review message is, in any messaging channel. Pure and workflow-safe: the
 * workflow keeps these in its state and reads them back to update messages in place.
 */

/** A message in a conversation: a Slack channel id and message ts, a Teams conversation id and activity id. */
export interface MessageRef {
  conversation: string;
  messageId: string;
}

/**
 * The shape actions recorded before MessageRef was channel-neutral (Slack's words, holding Teams
 * ids too). Their histories keep it in activity results and inputs, and their workflows rebuild
 * their state from those on replay, so every reader of a ref accepts it.
 */
export interface RecordedMessageRef {
  channel: string;
  ts: string;
}

/** A ref as it may be found in state, history or a query answer: either shape. */
export type StoredMessageRef = MessageRef | RecordedMessageRef;

/** The channel-neutral ref, whichever shape was stored. */
export function readMessageRef(ref: StoredMessageRef): MessageRef {
  return 'conversation' in ref ? { conversation: ref.conversation, messageId: ref.messageId } : { conversation: ref.channel, messageId: ref.ts };
}

/**
 * The public shape, as the API (`notifications[].ref`) and the audit trail have always written it:
 * `{ channel, ts }`, where `channel` is the conversation and `ts` the message id, in every channel.
 */
export function publicMessageRef(ref: StoredMessageRef): RecordedMessageRef {
  const { conversation, messageId } = readMessageRef(ref);
  return { channel: conversation, ts: messageId };
}
