/*
 * What an AWS SDK error says, read by shape: each SDK client bundles its own error classes, so
 * `instanceof` would tie a check to one client's copy.
 */

/** The HTTP status of an AWS SDK error, if it has one. */
export function httpStatus(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** The name of an AWS SDK error (`ResourceNotFoundException`, `AccessDeniedException`, …), if it has one. */
export function errorName(err: unknown): string | undefined {
  const name = (err as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}
