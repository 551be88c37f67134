/** One line of a policy diff as the operations write it (operations/iam-policy-diff.ts, S3 bucket policies). */
export interface DiffLine {
  kind: 'add' | 'del' | 'chg' | 'ctx';
  text: string;
}

/** Lines of a preview's `detail` a diff is made of: `+ `/`- `/`~ ` at the start, or indented inside a changed statement. */
const DIFF_LINE = /^(?:[+~-] |\s{2}[+ -]\s|\s{2}\(|no change|no statements)/;

/** Whether a preview's detail is a diff the console can colour (every line a diff line, at least one change). */
export function looksLikeDiff(text: string): boolean {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return lines.length > 0 && lines.every((line) => DIFF_LINE.test(line)) && diffLines(text).some((line) => line.kind !== 'ctx');
}

/** Each line with its kind: added, removed, a changed statement's heading, or context. */
export function diffLines(text: string): DiffLine[] {
  return text.split('\n').map((line) => {
    const start = line.trimStart();
    if (line.startsWith('~')) return { kind: 'chg', text: line };
    if (start.startsWith('+')) return { kind: 'add', text: line };
    if (start.startsWith('-')) return { kind: 'del', text: line };
    return { kind: 'ctx', text: line };
  });
}

/** A diff, added lines green and removed red (by class: the CSP allows no inline style). */
export function PolicyDiff(props: { text: string }) {
  return (
    <pre class="diff" aria-label="Policy diff">
      {diffLines(props.text).map((line) => (
        <span class={`diff-line diff-${line.kind}`}>{`${line.text}\n`}</span>
      ))}
    </pre>
  );
}
