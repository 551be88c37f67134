import type { AuditFilterForm } from '../pages/audit-filter';

/** The audit search form, as `GET /v1/audit` filters: times (UTC), action id, actor. */
export function AuditFilters(props: { values: AuditFilterForm }) {
  const { values } = props;
  return (
    <form method="get" action="/console/audit" class="filters">
      <label>
        From (UTC)
        <input type="datetime-local" step={1} name="from" value={values.from ?? ''} />
      </label>
      <label>
        To (UTC)
        <input type="datetime-local" step={1} name="to" value={values.to ?? ''} />
      </label>
      <label>
        Action id
        <input name="action" value={values.action ?? ''} placeholder="any" maxLength={260} />
      </label>
      <label>
        Actor
        <input name="actor" value={values.actor ?? ''} placeholder="any" maxLength={128} />
      </label>
      <button type="submit">Search</button>
    </form>
  );
}
