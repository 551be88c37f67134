import type { AuditRecord } from '../../../audit/audit-log';
import { describeEvent } from './audit-text';
import { formatTime } from './format';
import { JsonBlock } from './json-block';

/** Every event of one action with all it recorded: time, kind, actor, its data as pretty JSON, and its place in the chain. */
export function LineageList(props: { events: readonly AuditRecord[] }) {
  return (
    <ol class="lineage">
      {props.events.map((event) => (
        <li class="lineage-event">
          <div class="event-head">
            <span class="seq">{`#${event.seq}`}</span> <time dateTime={event.occurredAt}>{formatTime(event.occurredAt)}</time> <code>{event.kind}</code>{' '}
            <strong>{event.actor}</strong> <span class="event-text">{describeEvent(event)}</span>
          </div>
          <JsonBlock value={event.data} />
          <p class="chain muted">
            {`event ${event.eventId}, recorded ${formatTime(event.recordedAt)}, hash `}
            <code class="hash">{event.hash}</code>
          </p>
        </li>
      ))}
    </ol>
  );
}
