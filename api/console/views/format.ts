import type { ActionStatus, JsonValue } from '../../../domain/types';

/** `2026-12-04 18:42:14 UTC`: times are shown in UTC, the zone the audit trail records. */
export function formatTime(iso: string | undefined | null): string {
  if (!iso) return '';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  return `${time.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A duration in words: `5m`, `1h 30m`, `45s`. */
export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const parts: string[] = [];
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (rest || parts.length === 0) parts.push(`${rest}s`);
  return parts.join(' ');
}

/** `1.2 MB (1234567 bytes)`. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]} (${bytes} bytes)`;
}

/** A value on one line: strings as they are, anything else as compact JSON. */
export function inlineValue(value: JsonValue | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

/** The params on one line, `name=value, …`, cut at `max` characters. */
export function paramsLine(params: { [name: string]: JsonValue }, max = 160): string {
  const line = Object.entries(params)
    .map(([name, value]) => `${name}=${inlineValue(value)}`)
    .join(', ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** Pretty JSON for a <pre> block. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? 'null';
}

const STATUS_LABELS: Record<ActionStatus, string> = {
  evaluating: 'Evaluating',
  pending_review: 'Pending review',
  approved: 'Approved',
  executing: 'Executing',
  succeeded: 'Succeeded',
  failed: 'Failed',
  denied: 'Denied',
  rejected: 'Rejected',
  expired: 'Expired',
  cancelled: 'Cancelled',
};

/** The status as people read it; an unknown one as it is. */
export function statusLabel(status: string | undefined): string {
  return (status && STATUS_LABELS[status as ActionStatus]) ?? status ?? 'unknown';
}
