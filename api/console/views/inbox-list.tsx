import type { InboxItem } from '../pages/inbox-items';
import { RiskBadge } from './badges';
import { Deadline } from './deadline';
import { paramsLine } from './format';
import { actionHref } from './links';

/**
 * The inbox's list: the part console.js fetches again (`/console/inbox/fragment`) and swaps in when
 * the live stream reports a new `version`.
 */
export function InboxList(props: { items: readonly InboxItem[]; version: string; unreadable: number }) {
  return (
    <section id="inbox-list" class="inbox" data-version={props.version} aria-live="polite">
      {props.items.length === 0 ? <p class="empty">Nothing is waiting for your review.</p> : null}
      <ul class="cards">
        {props.items.map((item) => (
          <InboxCard item={item} />
        ))}
      </ul>
      {props.unreadable > 0 ? (
        <p class="note">
          {props.unreadable === 1
            ? '1 pending action could not be read just now (no worker answered): it appears here once one does.'
            : `${props.unreadable} pending actions could not be read just now (no worker answered): they appear here once one does.`}
        </p>
      ) : null}
    </section>
  );
}

function InboxCard(props: { item: InboxItem }) {
  const { state, myVote } = props.item;
  const review = state.policy?.review;
  const approvals = state.votes.filter((vote) => vote.verdict === 'approve').length;
  return (
    <li class={`card${myVote ? ' voted' : ''}`} data-action-id={state.actionId}>
      <div class="card-head">
        <a class="action-name" href={actionHref(state.actionId)}>
          {state.request.action}
        </a>
        <RiskBadge risk={state.policy?.risk} />
        {myVote ? <span class="badge mine">{myVote.verdict === 'approve' ? 'You approved' : 'You rejected'}</span> : null}
      </div>
      {state.operation ? <p class="summary">{state.operation.summary}</p> : null}
      <p class="params-line">{paramsLine(state.request.params)}</p>
      <dl class="meta">
        <div>
          <dt>Requester</dt>
          <dd>{state.request.requester.id}</dd>
        </div>
        <div>
          <dt>Rule</dt>
          <dd>{state.policy?.ruleId ?? 'unknown'}</dd>
        </div>
        <div>
          <dt>Approvals</dt>
          <dd>{`${approvals} of ${review?.quorum ?? 1}`}</dd>
        </div>
        <div>
          <dt>Deadline</dt>
          <dd>
            <Deadline at={state.deadline} />
          </dd>
        </div>
      </dl>
    </li>
  );
}
