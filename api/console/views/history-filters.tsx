import { ACTION_STATUSES } from '../../../domain/types';
import { statusLabel } from './format';

/** The filters as the form shows them again (what was asked, valid or not). */
export interface HistoryFilterValues {
  status?: string | undefined;
  action?: string | undefined;
  requester?: string | undefined;
}

/** The History filters: status, action name (suggested from the catalogue), requester. A GET form: the URL is the filter. */
export function HistoryFilters(props: { values: HistoryFilterValues; actionNames: readonly string[]; requesterFixed?: string | undefined }) {
  const { values } = props;
  return (
    <form method="get" action="/console/history" class="filters">
      <label>
        Status
        <select name="status">
          <option value="">any</option>
          {ACTION_STATUSES.map((status) => (
            <option value={status} selected={values.status === status}>
              {statusLabel(status)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Action
        <input name="action" list="action-names" value={values.action ?? ''} placeholder="any" maxLength={200} />
      </label>
      <datalist id="action-names">
        {props.actionNames.map((name) => (
          <option value={name} />
        ))}
      </datalist>
      <label>
        Requester
        {props.requesterFixed ? (
          <input name="requester" value={props.requesterFixed} readOnly />
        ) : (
          <input name="requester" value={values.requester ?? ''} placeholder="any" maxLength={64} />
        )}
      </label>
      <button type="submit">Filter</button>
    </form>
  );
}
