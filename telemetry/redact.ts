/** What a sensitive param's value is replaced with in log output. */
export const REDACTED = '[redacted]';

/** How deep redaction looks into a log object: action requests sit a few levels down at most. */
const MAX_DEPTH = 8;

/** The names operations mark sensitive (`Operation.sensitiveParams`), as one set for the log redaction. */
export function sensitiveParamNames(operations: Iterable<{ sensitiveParams?: readonly string[] }>): ReadonlySet<string> {
  const names = new Set<string>();
  for (const operation of operations) for (const name of operation.sensitiveParams ?? []) names.add(name);
  return names;
}

/**
 * `value` with every sensitive entry of every object under a `params` key replaced by
 * `[redacted]`, at any depth: an action request, a workflow input, an audit event's data, or
 * params logged on their own. Names are matched whatever the action, so a log line need not say
 * which action its params belong to. Only plain objects and arrays are walked (never a socket or
 * a request object); what is unchanged is returned as it is, not copied.
 */
export function redactSensitiveParams<T>(value: T, names: ReadonlySet<string>): T {
  if (names.size === 0) return value;
  return walk(value, names, false, 0) as T;
}

function walk(value: unknown, names: ReadonlySet<string>, isParams: boolean, depth: number): unknown {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const next = walk(item, names, false, depth + 1);
      if (next !== item) (copy ??= [...value])[index] = next;
    });
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const next = isParams && names.has(key) ? REDACTED : walk(item, names, key === 'params', depth + 1);
    if (next !== item) (copy ??= { ...value })[key] = next;
  }
  return copy ?? value;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
