import { ApplicationFailure } from '@temporalio/common';
import { teamsConnector } from '../../../../channels/teams/outbound/connector';
import { retryAfterSeconds } from '../../../../channels/teams/outbound/teams-errors';
import { TeamsFailureType } from '../../../../domain/failure-types';
import { startTeamsDouble, type TeamsDouble } from '../../../support/teams-double';

const CONVERSATION = '19:approvals@thread.tacv2';
const card = { type: 'AdaptiveCard', version: '1.4', body: [] };
const message = { type: 'message' as const, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] };

describe('teamsConnector', () => {
  let double: TeamsDouble;
  beforeEach(async () => {
    double = await startTeamsDouble({ appId: 'app-id', appPassword: 'app-password-secret' });
  });
  afterEach(() => double.close());

  const connector = (appPassword = double.appPassword) =>
    teamsConnector({ appId: double.appId, appPassword, serviceUrl: double.serviceUrl, tokenUrl: double.tokenUrl });

  async function failure(promise: Promise<unknown>): Promise<ApplicationFailure> {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }

  it('posts, updates in place and replies, with one cached token', async () => {
    const teams = connector();
    const id = await teams.postActivity(CONVERSATION, message);
    await teams.updateActivity(CONVERSATION, id, { ...message, summary: 'updated' });
    const reply = await teams.replyToActivity(CONVERSATION, id, { type: 'message', text: 'reminder' });
    expect(double.activities(CONVERSATION)).toEqual([expect.objectContaining({ id, summary: 'updated' })]);
    expect(double.activity(id).history).toHaveLength(2);
    expect(double.card(id)).toEqual(card);
    expect(double.replies(id)).toEqual([expect.objectContaining({ id: reply, text: 'reminder' })]);
    expect(double.tokensIssued()).toBe(1);
  });

  it('renews a token shortly before it expires', async () => {
    let now = 1_000_000;
    const teams = teamsConnector(
      { appId: double.appId, appPassword: double.appPassword, serviceUrl: double.serviceUrl, tokenUrl: double.tokenUrl },
      fetch,
      () => now,
    );
    await teams.postActivity(CONVERSATION, message);
    now += 50 * 60_000;
    await teams.postActivity(CONVERSATION, message);
    expect(double.tokensIssued()).toBe(1);
    now += 6 * 60_000; // 56 minutes: within five minutes of the hour's expiry
    await teams.postActivity(CONVERSATION, message);
    expect(double.tokensIssued()).toBe(2);
  });

  it('a wrong secret is permanent, and the secret is not in the message', async () => {
    const err = await failure(connector('wrong-password-value').postActivity(CONVERSATION, message));
    expect(err).toMatchObject({ type: TeamsFailureType.Permanent, nonRetryable: true });
    expect(err.message).toContain('invalid_client');
    expect(err.message).not.toContain('wrong-password-value');
  });

  it('429 carries Retry-After as nextRetryDelay', async () => {
    double.fail({ status: 429, retryAfter: 7 });
    const err = await failure(connector().postActivity(CONVERSATION, message));
    expect(err).toMatchObject({ type: TeamsFailureType.RateLimited, nonRetryable: false });
    expect(err.nextRetryDelay).toBe('7s');
  });

  it('4xx is permanent, 5xx retryable', async () => {
    double.fail({ status: 403 });
    expect(await failure(connector().postActivity(CONVERSATION, message))).toMatchObject({ type: TeamsFailureType.Permanent, nonRetryable: true });
    double.fail({ status: 502 });
    expect(await failure(connector().postActivity(CONVERSATION, message))).toMatchObject({ type: TeamsFailureType.Unavailable, nonRetryable: false });
    expect(await failure(connector().updateActivity(CONVERSATION, 'no-such-id', message))).toMatchObject({ type: TeamsFailureType.Permanent });
  });

  it('no answer is retryable', async () => {
    const teams = teamsConnector({ appId: 'a', appPassword: 'b', serviceUrl: 'http://127.0.0.1:1/', tokenUrl: 'http://127.0.0.1:1/token' });
    expect(await failure(teams.postActivity(CONVERSATION, message))).toMatchObject({ type: TeamsFailureType.Unavailable, nonRetryable: false });
  });
});

describe('retryAfterSeconds', () => {
  it('reads seconds and HTTP dates, at least 1', () => {
    expect(retryAfterSeconds('3')).toBe(3);
    expect(retryAfterSeconds('0')).toBe(1);
    expect(retryAfterSeconds(new Date(10_000).toUTCString(), 0)).toBe(10);
    expect(retryAfterSeconds('soon')).toBeUndefined();
    expect(retryAfterSeconds(null)).toBeUndefined();
  });
});
