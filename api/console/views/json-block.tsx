import type { JsonValue } from '../../../domain/types';
import { inlineValue, prettyJson } from './format';

/** A value as text: a scalar on its line, anything nested as pretty JSON in a <pre>. */
export function ValueText(props: { value: JsonValue | undefined }) {
  const { value } = props;
  if (value !== null && typeof value === 'object') return <pre class="json">{prettyJson(value)}</pre>;
  return <span class="value">{inlineValue(value)}</span>;
}

/** Pretty JSON in a <pre>. */
export function JsonBlock(props: { value: unknown }) {
  return <pre class="json">{prettyJson(props.value)}</pre>;
}
