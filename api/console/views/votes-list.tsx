import type { Vote } from '../../../domain/types';
import { formatTime } from './format';

/** The votes so far: who, approve or reject, the comment, the channel, when, and for console votes the sign-in. */
export function VotesList(props: { votes: readonly Vote[] }) {
  if (props.votes.length === 0) return <p class="muted">No votes yet.</p>;
  return (
    <ul class="votes">
      {props.votes.map((vote) => (
        <li class={`vote vote-${vote.verdict}`}>
          <strong>{vote.reviewer}</strong> <span class={`badge verdict-${vote.verdict}`}>{vote.verdict === 'approve' ? 'approved' : 'rejected'}</span>{' '}
          <span class="muted">{`via ${vote.channel}, ${formatTime(vote.at)}`}</span>
          {vote.authentication?.authTime !== undefined ? (
            <span class="muted">{`, signed in ${formatTime(new Date(vote.authentication.authTime * 1000).toISOString())}`}</span>
          ) : null}
          {vote.comment ? <p class="comment">{vote.comment}</p> : null}
        </li>
      ))}
    </ul>
  );
}
