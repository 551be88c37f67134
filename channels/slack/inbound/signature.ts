import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses to sign anything older than this, and so do we: replays are limited to this window. */
export const SLACK_SIGNATURE_TOLERANCE_SECONDS = 300;

const SIGNATURE_VERSION = 'v0';
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

export interface VerifySlackSignatureInput {
  /** The request body exactly as received, before any parsing. */
  rawBody: string | Buffer;
  /** `X-Slack-Request-Timestamp`: Unix seconds. */
  timestamp?: string | undefined;
  /** `X-Slack-Signature`: `v0=<hex HMAC-SHA256>`. */
  signature?: string | undefined;
  signingSecret: string;
  nowSeconds: number;
  /** How far the timestamp may be from now, in either direction; default 300. */
  toleranceSeconds?: number;
}

export type SlackSignatureCheck = { ok: true } | { ok: false; reason: 'missing_headers' | 'stale_timestamp' | 'bad_signature' };

/** Headers Slack sends with a signed request. */
export interface SlackSignatureHeaders {
  'x-slack-request-timestamp': string;
  'x-slack-signature': string;
}

function computeSignature(rawBody: string | Buffer, signingSecret: string, timestamp: string): string {
  const hmac = createHmac('sha256', signingSecret);
  hmac.update(`${SIGNATURE_VERSION}:${timestamp}:`, 'utf8');
  hmac.update(rawBody);
  return `${SIGNATURE_VERSION}=${hmac.digest('hex')}`;
}

/**
 * Checks a Slack request signature (scheme v0): `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>`
 * keyed with the signing secret, and a timestamp within the tolerance of now in either direction.
 * A timestamp that is not a plain number counts as missing.
 */
export function verifySlackSignature(input: VerifySlackSignatureInput): SlackSignatureCheck {
  const { rawBody, timestamp, signature, signingSecret, nowSeconds } = input;
  const tolerance = input.toleranceSeconds ?? SLACK_SIGNATURE_TOLERANCE_SECONDS;
  if (!timestamp || !signature || !TIMESTAMP_PATTERN.test(timestamp)) return { ok: false, reason: 'missing_headers' };
  if (Math.abs(nowSeconds - Number(timestamp)) > tolerance) return { ok: false, reason: 'stale_timestamp' };

  const expected = Buffer.from(computeSignature(rawBody, signingSecret, timestamp), 'utf8');
  const received = Buffer.from(signature, 'utf8');
  // timingSafeEqual needs equal lengths. The expected length is public (the scheme fixes it), so a
  // length mismatch reveals nothing; still compare something of equal length so both paths do the same work.
  const sameLength = expected.length === received.length;
  const equal = timingSafeEqual(expected, sameLength ? received : expected);
  return equal && sameLength ? { ok: true } : { ok: false, reason: 'bad_signature' };
}

/** Signs a body the way Slack does; for tests and the local Slack double. */
export function signSlackRequest(rawBody: string | Buffer, signingSecret: string, timestampSeconds: number): SlackSignatureHeaders {
  const timestamp = String(Math.floor(timestampSeconds));
  return {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': computeSignature(rawBody, signingSecret, timestamp),
  };
}
