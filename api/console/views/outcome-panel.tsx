import type { ActionState } from '../../../domain/types';
import { reviewMessage } from '../../../channels/review-message';
import { formatTime, inlineValue } from './format';

/** How the action ended, or where it stands: the outcome line every channel shows, the result's outputs, the error. */
export function OutcomePanel(props: { state: ActionState }) {
  const { state } = props;
  const outcome = reviewMessage(state, { namespace: '' }).outcome;
  const outputs = Object.entries(state.result?.outputs ?? {});
  if (!outcome && !state.result && !state.error) return null;
  return (
    <section class="panel outcome">
      <h2>Outcome</h2>
      {outcome ? (
        <p>
          <strong>{outcome.title}</strong>
          {outcome.detail ? <span class="outcome-detail">{` ${outcome.detail}`}</span> : null}
        </p>
      ) : null}
      {outputs.length > 0 ? (
        <table class="facts-table">
          <tbody>
            {outputs.map(([name, value]) => (
              <tr>
                <th scope="row">
                  <code>{name}</code>
                </th>
                <td>{inlineValue(value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {state.error ? (
        <p class="alert error">
          <code>{state.error.type}</code> {state.error.message}
        </p>
      ) : null}
      {state.closedAt ? <p class="muted">{`Closed ${formatTime(state.closedAt)}`}</p> : null}
    </section>
  );
}
