import { formatTime } from './format';

/** A deadline: the time in UTC, which console.js turns into a countdown that updates every second. */
export function Deadline(props: { at: string | undefined | null }) {
  if (!props.at) return <span class="muted">none</span>;
  return (
    <time class="deadline" dateTime={props.at} data-deadline={props.at} title={formatTime(props.at)}>
      {formatTime(props.at)}
    </time>
  );
}
