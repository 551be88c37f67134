import { statusLabel } from './format';

/** An action's status, coloured by the stylesheet (`status-<status>`). */
export function StatusBadge(props: { status: string | undefined }) {
  const status = props.status ?? 'unknown';
  return <span class={`badge status-${/^[a-z_]+$/.test(status) ? status : 'unknown'}`}>{statusLabel(status)}</span>;
}

/** A policy risk: low, medium, high, critical. */
export function RiskBadge(props: { risk: string | undefined }) {
  const risk = props.risk ?? 'unknown';
  return <span class={`badge risk-${/^[a-z]+$/.test(risk) ? risk : 'unknown'}`}>{`${risk} risk`}</span>;
}
