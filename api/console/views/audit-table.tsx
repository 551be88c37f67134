import type { AuditRecord } from '../../../audit/audit-log';
import { describeEvent } from './audit-text';
import { formatTime } from './format';
import { lineageHref } from './links';

/** Audit events in chain order, each action linking to its lineage. */
export function AuditTable(props: { events: readonly AuditRecord[] }) {
  if (props.events.length === 0) return <p class="empty">No event matches these filters.</p>;
  return (
    <table class="audit">
      <thead>
        <tr>
          <th scope="col">Seq</th>
          <th scope="col">Occurred</th>
          <th scope="col">Kind</th>
          <th scope="col">Action</th>
          <th scope="col">Actor</th>
          <th scope="col">What</th>
        </tr>
      </thead>
      <tbody>
        {props.events.map((event) => (
          <tr>
            <td>{event.seq}</td>
            <td>{formatTime(event.occurredAt)}</td>
            <td>
              <code>{event.kind}</code>
            </td>
            <td>
              <a href={lineageHref(event.actionId)} class="id">
                {event.actionId}
              </a>
            </td>
            <td>{event.actor}</td>
            <td>{describeEvent(event)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
