import { ActionStatus, type ActionState, type Vote } from '../../../domain/types';
import { mayVote } from '../../../workflows/approvers';
import type { ConsoleSession } from '../session';
import { isReviewer, voteAuthentication } from './access';
import { myVote } from './vote-options';

/** One line of a person's inbox: an action they may decide, and their vote if they already cast it. */
export interface InboxItem {
  state: ActionState;
  myVote?: Vote | undefined;
}

/**
 * The pending reviews this person may decide, newest first: not their own requests, and only where
 * they are among the approvers (by name, or by an IdP group of their sign-in). Those they already
 * voted on stay, marked, until the review ends.
 */
export function inboxItems(states: readonly ActionState[], session: ConsoleSession): InboxItem[] {
  if (!isReviewer(session)) return [];
  const authentication = voteAuthentication(session);
  return states
    .filter(
      (state) =>
        state.status === ActionStatus.PendingReview &&
        state.request.requester.id !== session.identity &&
        mayVote(state, { reviewer: session.identity, authentication }),
    )
    .sort((a, b) => b.request.requestedAt.localeCompare(a.request.requestedAt))
    .map((state) => ({ state, myVote: myVote(state, session.identity) }));
}
