import type { ActionSummary } from '../../../domain/actions-port';
import { StatusBadge } from './badges';
import { formatTime } from './format';
import { actionHref } from './links';

/** A list of actions from Temporal visibility, newest first, each linking to its page. */
export function ActionTable(props: { items: readonly ActionSummary[]; empty: string }) {
  if (props.items.length === 0) return <p class="empty">{props.empty}</p>;
  return (
    <table class="actions">
      <thead>
        <tr>
          <th scope="col">Action</th>
          <th scope="col">Requester</th>
          <th scope="col">Status</th>
          <th scope="col">Started</th>
          <th scope="col">Closed</th>
        </tr>
      </thead>
      <tbody>
        {props.items.map((item) => (
          <tr>
            <td>
              <a href={actionHref(item.id)}>{item.action ?? item.id}</a>
              <div class="id muted">{item.id}</div>
            </td>
            <td>{item.requester ?? ''}</td>
            <td>
              <StatusBadge status={item.status} />
            </td>
            <td>{formatTime(item.startedAt)}</td>
            <td>{formatTime(item.closedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
