import { reviewerRefusal } from '../../../channels/refusal-texts';
import { SLACK_REFUSAL_TEXT, SLACK_TEXT } from '../../../channels/slack/inbound/texts';
import { TEAMS_REFUSAL_TEXT, TEAMS_TEXT } from '../../../channels/teams/inbound/texts';
import { ActionRefusedError, DomainErrorCode } from '../../../domain/errors';
import { RefusalCode } from '../../../domain/types';
import { ALL_DOMAIN_ERROR_CODES, oneOfEachDomainError } from '../../support/domain-errors';

/**
 * What a reviewer reads for each domain error, in Slack and in Teams. `undefined`: no sentence of
 * its own, so the channel says that something went wrong (and logs the error): nothing the
 * reviewer can fix, or nothing a vote can run into.
 */
const EXPECTED: Record<string, { slack: RegExp | string; teams: RegExp | string } | undefined> = {
  [RefusalCode.SelfApproval]: { slack: /cannot review your own request/, teams: /cannot review your own request/ },
  [RefusalCode.NotAnApprover]: { slack: /not an approver/, teams: /not an approver/ },
  [RefusalCode.StepUpRequired]: { slack: /recent sign-in.*Airlock console/, teams: /recent sign-in.*Airlock console/ },
  [RefusalCode.AlreadyVoted]: { slack: /already voted.*earlier vote stands/, teams: /already voted.*earlier vote stands/ },
  [RefusalCode.ActionClosed]: { slack: /This request is closed/, teams: /This request is closed/ },
  [RefusalCode.NotPendingReview]: { slack: /no longer pending review/, teams: /no longer pending review/ },
  [RefusalCode.CommentRequired]: { slack: SLACK_TEXT.reasonRequired, teams: TEAMS_TEXT.reasonRequired },
  [DomainErrorCode.ActionNotFound]: { slack: /has no such request/, teams: /has no such request/ },
  [DomainErrorCode.WorkerUnavailable]: { slack: /could not confirm.*the request message will show it/, teams: /could not confirm.*the card will show it/ },
  [RefusalCode.NotCancellable]: undefined,
  [RefusalCode.IdentityUnverified]: undefined,
  [DomainErrorCode.UnknownAction]: undefined,
  [DomainErrorCode.InvalidParams]: undefined,
  [DomainErrorCode.InvalidRequest]: undefined,
  [DomainErrorCode.IdempotencyKeyReused]: undefined,
  [DomainErrorCode.TemporalUnavailable]: undefined,
  [DomainErrorCode.AuditUnavailable]: undefined,
};

describe('domain errors at the Slack and Teams edges', () => {
  const errors = oneOfEachDomainError();

  it('has a case for every domain error code', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(ALL_DOMAIN_ERROR_CODES);
  });

  it.each(errors.map((err) => [err.name, err.code, err] as const))('%s (%s) reads as its sentence, or as none', (_name, code, err) => {
    const expected = EXPECTED[code];
    const slack = reviewerRefusal(SLACK_REFUSAL_TEXT, err);
    const teams = reviewerRefusal(TEAMS_REFUSAL_TEXT, err);
    if (expected === undefined) {
      expect({ slack, teams }).toEqual({ slack: undefined, teams: undefined });
      return;
    }
    expect(slack?.code).toBe(code);
    expect(teams?.code).toBe(code);
    expect(slack?.sentence).toMatch(expected.slack);
    expect(teams?.sentence).toMatch(expected.teams);
  });

  it('maps by class, not by a code-shaped string: an error that only looks like a refusal has no sentence', () => {
    const lookalike = Object.assign(new Error('already voted'), { code: RefusalCode.AlreadyVoted });
    expect(reviewerRefusal(SLACK_REFUSAL_TEXT, lookalike)).toBeUndefined();
    expect(reviewerRefusal(TEAMS_REFUSAL_TEXT, new Error('connection reset'))).toBeUndefined();
    expect(reviewerRefusal(SLACK_REFUSAL_TEXT, 'already_voted')).toBeUndefined();
  });

  it('shows the sentence, not the workflow message, whatever the message says', () => {
    const refusal = reviewerRefusal(SLACK_REFUSAL_TEXT, new ActionRefusedError(RefusalCode.AlreadyVoted, 'bob has already voted on this request'));
    expect(refusal).toEqual({ code: RefusalCode.AlreadyVoted, sentence: SLACK_REFUSAL_TEXT[RefusalCode.AlreadyVoted] });
  });
});
