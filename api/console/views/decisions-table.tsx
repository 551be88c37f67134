import { formatTime } from './format';
import { actionHref } from './links';

/** One vote a person cast, as the audit trail recorded it. */
export interface MyDecision {
  actionId: string;
  verdict: 'approve' | 'reject';
  channel: string;
  comment?: string;
  at: string;
}

/** The action name inside an action id (`action-<name>-<16 chars>`). */
export function actionNameOf(actionId: string): string {
  return /^action-(.+)-[a-z2-9]{16}$/.exec(actionId)?.[1] ?? actionId;
}

export function DecisionsTable(props: { decisions: readonly MyDecision[] }) {
  if (props.decisions.length === 0) return <p class="empty">You have not voted on any action.</p>;
  return (
    <table class="actions">
      <thead>
        <tr>
          <th scope="col">Action</th>
          <th scope="col">Vote</th>
          <th scope="col">Channel</th>
          <th scope="col">When</th>
          <th scope="col">Comment</th>
        </tr>
      </thead>
      <tbody>
        {props.decisions.map((decision) => (
          <tr>
            <td>
              <a href={actionHref(decision.actionId)}>{actionNameOf(decision.actionId)}</a>
              <div class="id muted">{decision.actionId}</div>
            </td>
            <td>
              <span class={`badge verdict-${decision.verdict}`}>{decision.verdict === 'approve' ? 'approved' : 'rejected'}</span>
            </td>
            <td>{decision.channel}</td>
            <td>{formatTime(decision.at)}</td>
            <td class="comment">{decision.comment ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
