import type { ActionPreview, PreviewFact } from '../../../domain/types';
import { formatBytes } from './format';
import { looksLikeDiff, PolicyDiff } from './policy-diff';

/** Whether the preview says the change widens access (an IAM or bucket policy granting more than before). */
export function widensAccess(preview: ActionPreview | undefined): boolean {
  if (!preview || 'error' in preview) return false;
  return preview.facts.widensAccess === true || preview.warnings.some((warning) => warning.startsWith('widens access'));
}

/**
 * What the action would change, as read before review: warnings first, then notes, the facts (sizes
 * and counts, what exists), and the detail, a policy diff coloured line by line when it is one.
 */
export function PreviewPanel(props: { preview: ActionPreview | undefined }) {
  const { preview } = props;
  if (!preview) return <p class="muted">No preview: it has not been read (yet), or this action has none.</p>;
  if ('error' in preview) {
    return (
      <p class="alert error">
        The preview could not be read: <code>{preview.error.type}</code> {preview.error.message}
      </p>
    );
  }
  const facts = Object.entries(preview.facts);
  return (
    <>
      {widensAccess(preview) ? (
        <p class="alert widening" role="alert">
          <strong>This change widens access.</strong> It grants more than is granted now: read the warnings and the diff below.
        </p>
      ) : null}
      {preview.warnings.length > 0 ? (
        <ul class="warnings">
          {preview.warnings.map((warning) => (
            <li>{warning}</li>
          ))}
        </ul>
      ) : null}
      {preview.notes.length > 0 ? (
        <ul class="notes">
          {preview.notes.map((note) => (
            <li>{note}</li>
          ))}
        </ul>
      ) : null}
      {facts.length > 0 ? (
        <table class="facts-table">
          <tbody>
            {facts.map(([name, value]) => (
              <tr>
                <th scope="row">
                  <code>{name}</code>
                </th>
                <td>{factText(name, value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {preview.detail ? looksLikeDiff(preview.detail) ? <PolicyDiff text={preview.detail} /> : <pre class="detail">{preview.detail}</pre> : null}
    </>
  );
}

/** A fact for people: sizes in bytes also in KB/MB, yes/no for booleans. */
function factText(name: string, value: PreviewFact): string {
  if (typeof value === 'number' && /bytes$/i.test(name)) return formatBytes(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return value === null ? 'unknown' : String(value);
}
