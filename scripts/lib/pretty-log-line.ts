const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** Fields every line has, or that say nothing to a person at a terminal. */
const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'sdkComponent']);
const MAX_FIELD = 160;

/**
 * One JSON log line (pino) as a person reads it at a terminal: time, level, message, then the
 * other fields as key=value. `npm start` prints this; the processes themselves write JSON, for
 * log shippers. Lines that are not JSON (a Node warning) pass through unchanged.
 */
export function prettyLogLine(line: string): string {
  const fields = jsonLogRecord(line);
  if (!fields) return line;
  const level = typeof fields.level === 'number' ? (LEVELS[fields.level] ?? String(fields.level)) : String(fields.level ?? '');
  const time = typeof fields.time === 'number' ? new Date(fields.time).toISOString().slice(11, 23) : '';
  const message = String(fields.msg ?? '');
  // Multi-line messages (the bundler's report) shrink to their first line unless something is wrong.
  const shown = level === 'INFO' || level === 'DEBUG' || level === 'TRACE' ? (message.split('\n')[0] ?? '') : message;
  const rest = Object.entries(fields)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${truncate(typeof value === 'string' ? value : JSON.stringify(value))}`);
  return [time, level.padEnd(5), shown, ...rest].filter(Boolean).join(' ');
}

function truncate(text: string): string {
  return text.length > MAX_FIELD ? `${text.slice(0, MAX_FIELD)}…` : text;
}

/** A log line's JSON object, or undefined when the line is not one (a Node warning, a Go panic). */
export function jsonLogRecord(line: string): Record<string, unknown> | undefined {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return undefined;
  }
  return record && typeof record === 'object' && !Array.isArray(record) ? (record as Record<string, unknown>) : undefined;
}
