import type { AuditRecord } from '../../../audit/audit-log';
import { describeEvent } from './audit-text';
import { formatTime } from './format';

/**
 * An action's story from the audit trail, one line per event: when, who, what. The data of each
 * event (origins, session policies, signatures) stays on the auditors' lineage page.
 */
export function Timeline(props: { events: readonly AuditRecord[] }) {
  if (props.events.length === 0) return <p class="muted">Nothing recorded yet.</p>;
  return (
    <ol class="timeline">
      {props.events.map((event) => (
        <li class={`event event-${event.kind.replace('.', '-')}`}>
          <time dateTime={event.occurredAt}>{formatTime(event.occurredAt)}</time> <code>{event.kind}</code> <strong>{event.actor}</strong>{' '}
          <span class="event-text">{describeEvent(event)}</span>
        </li>
      ))}
    </ol>
  );
}
