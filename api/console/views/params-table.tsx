import type { JsonObject } from '../../../domain/types';
import { ValueText } from './json-block';

/** Every parameter of the request, as sent: scalars as text, nested values as pretty JSON. */
export function ParamsTable(props: { params: JsonObject }) {
  const entries = Object.entries(props.params);
  if (entries.length === 0) return <p class="muted">No parameters.</p>;
  return (
    <table class="params">
      <thead>
        <tr>
          <th scope="col">Parameter</th>
          <th scope="col">Value</th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([name, value]) => (
          <tr>
            <th scope="row">
              <code>{name}</code>
            </th>
            <td>
              <ValueText value={value} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
