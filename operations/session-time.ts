import { MAX_SESSION_POLICY_CHARS, sessionPolicyText, type IamPolicyDocument, type IamStatement, type Operation } from './types';

/*
 * Credentials scoped in time. STS issues nothing shorter than 900 s, so the bound is in the session
 * policy: every statement allows its calls only while `aws:CurrentTime` (AWS's clock, a global
 * condition key valid in session policies) is before the session's deadline. A leaked credential
 * is then good for about the operation's running time, not 15 minutes.
 */

/**
 * Added to each deadline for the difference between this worker's clock and AWS's. Hosts that
 * run NTP are within a second; 30 s also absorbs a slow STS round trip.
 */
export const CLOCK_SKEW_MARGIN_SECONDS = 30;

/** The running time of an operation that declares none: one or two API calls. */
export const DEFAULT_RUNNING_TIME_SECONDS = 30;

/** Seconds one session of the operation needs, from issue to its last request (see `Operation.runningTimeSeconds`). */
export function runningTimeOf(operation: Pick<Operation<unknown, unknown>, 'runningTimeSeconds'>): number {
  return operation.runningTimeSeconds ?? DEFAULT_RUNNING_TIME_SECONDS;
}

/** When one session's credentials are issued, how long the operation may use them, and when AWS stops honouring them. */
export interface SessionWindow {
  issuedAt: Date;
  /** Issue time + the running time: requests should start before this, by this worker's clock. */
  usableUntil: Date;
  /** `usableUntil` + the clock skew margin, rounded up to the second: the session policy's `aws:CurrentTime` bound. */
  notAfter: Date;
}

/** The window of a session issued at `issuedAt` for an operation that runs `runningTimeSeconds`. */
export function sessionWindow(issuedAt: Date, runningTimeSeconds: number): SessionWindow {
  const usableUntil = new Date(issuedAt.getTime() + runningTimeSeconds * 1000);
  const notAfter = new Date(Math.ceil((usableUntil.getTime() + CLOCK_SKEW_MARGIN_SECONDS * 1000) / 1000) * 1000);
  return { issuedAt, usableUntil, notAfter };
}

/** `2026-11-30T12:34:56Z`: ISO 8601 in UTC to the second, as IAM date conditions take it (always 20 characters). */
export function iamTime(time: Date): string {
  return time.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The policy with every statement also conditioned on `DateLessThan aws:CurrentTime <notAfter>`,
 * its other conditions kept. A statement that already had a `DateLessThan` on `aws:CurrentTime`
 * keeps the earlier of the two times.
 */
export function timeBoundPolicy(policy: IamPolicyDocument, notAfter: Date): IamPolicyDocument {
  const bound = iamTime(notAfter);
  return { ...policy, Statement: policy.Statement.map((statement) => timeBoundStatement(statement, bound)) };
}

function timeBoundStatement(statement: IamStatement, bound: string): IamStatement {
  const dateLessThan = statement.Condition?.DateLessThan ?? {};
  const existing = dateLessThan['aws:CurrentTime'];
  // Same fixed-width ISO format: string order is time order. Anything else is replaced by the bound.
  const time = typeof existing === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(existing) && existing < bound ? existing : bound;
  return { ...statement, Condition: { ...statement.Condition, DateLessThan: { ...dateLessThan, 'aws:CurrentTime': time } } };
}

/** Any time gives the same length (`iamTime` is fixed-width): what size checks bound a policy with. */
const SAMPLE_NOT_AFTER = new Date('2026-01-01T00:00:00Z');

/**
 * Whether the policy still fits STS's 2,048-character limit once the time bound is added to every
 * statement. Params whose policies would not fit are refused at the API, not after approval.
 */
export function fitsSessionPolicyLimit(policy: IamPolicyDocument): boolean {
  return sessionPolicyText(timeBoundPolicy(policy, SAMPLE_NOT_AFTER)).length <= MAX_SESSION_POLICY_CHARS;
}
