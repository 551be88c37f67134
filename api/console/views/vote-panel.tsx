import type { VoteOptions } from '../pages/vote-options';
import { formatDuration } from './format';
import { actionHref } from './links';

/** What the person sent, shown again in its form when the vote was refused. */
export interface VoteDraft {
  decision: 'approve' | 'reject';
  comment: string;
}

/** Longest comment or reason, as the API's decision body allows. */
export const MAX_COMMENT_CHARS = 2000;

/**
 * Approve and Reject, when this person's vote would count; else why not, or the fresh sign-in a
 * step-up rule asks for first. Both forms carry the page's CSRF token and one nonce: a double
 * submit, or both buttons, count once (the vote's Update id is made from the nonce).
 */
export function VotePanel(props: { options: VoteOptions; actionId: string; csrfToken: string; nonce: string; draft?: VoteDraft | undefined }) {
  const { options } = props;
  if (options.kind === 'none') return <p class="no-vote">{options.reason}</p>;
  if (options.kind === 'step_up') {
    return (
      <div class="step-up">
        <p>
          <strong>This rule asks for a fresh sign-in</strong>
          {` (at most ${formatDuration(options.maxAgeSeconds * 1000)} old) before your vote counts.`}
        </p>
        <a class="button" href={options.signInUrl}>
          Sign in again to vote
        </a>
      </div>
    );
  }
  const action = `${actionHref(props.actionId)}/decisions`;
  return (
    <div class="vote-forms">
      <form method="post" action={action} class="vote-form approve-form">
        <input type="hidden" name="_csrf" value={props.csrfToken} />
        <input type="hidden" name="nonce" value={props.nonce} />
        <input type="hidden" name="decision" value="approve" />
        <label for="approve-comment">Comment (optional)</label>
        <textarea id="approve-comment" name="comment" rows={2} maxLength={MAX_COMMENT_CHARS}>
          {props.draft?.decision === 'approve' ? props.draft.comment : ''}
        </textarea>
        <button type="submit" class="approve">
          Approve
        </button>
      </form>
      <form method="post" action={action} class="vote-form reject-form">
        <input type="hidden" name="_csrf" value={props.csrfToken} />
        <input type="hidden" name="nonce" value={props.nonce} />
        <input type="hidden" name="decision" value="reject" />
        <label for="reject-comment">Reason (required)</label>
        <textarea id="reject-comment" name="comment" rows={2} maxLength={MAX_COMMENT_CHARS} required>
          {props.draft?.decision === 'reject' ? props.draft.comment : ''}
        </textarea>
        <button type="submit" class="reject">
          Reject
        </button>
      </form>
    </div>
  );
}
