/** A duration string that is not `<positive whole number><unit>`. */
export class InvalidDurationError extends Error {
  override name = 'InvalidDurationError';
  readonly code = 'invalid_duration';
}

const UNIT_MS = {
  ms: 1,
  s: 1000,
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: 24 * 60 * 60 * 1000,
} as const;

// One unit only, no sign, no decimals, no spaces: `1h30m` or `1.5h` are refused rather than guessed at.
const DURATION_PATTERN = /^([0-9]+)(ms|s|m|h|d)$/;

/** Milliseconds in a duration such as `500ms`, `90s`, `15m`, `1h` or `2d`; throws InvalidDurationError otherwise. */
export function parseDuration(text: string): number {
  const match = DURATION_PATTERN.exec(text);
  const amount = match?.[1];
  const unit = match?.[2] as keyof typeof UNIT_MS | undefined;
  if (amount === undefined || unit === undefined) {
    throw new InvalidDurationError(`invalid duration ${JSON.stringify(text)}: use a whole number and one unit (ms, s, m, h, d), e.g. 90s, 15m, 1h, 2d`);
  }
  const ms = Number(amount) * UNIT_MS[unit];
  if (ms <= 0) throw new InvalidDurationError(`invalid duration ${JSON.stringify(text)}: must be greater than zero`);
  if (!Number.isSafeInteger(ms)) throw new InvalidDurationError(`invalid duration ${JSON.stringify(text)}: too large`);
  return ms;
}
