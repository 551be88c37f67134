import { EmailFailureType, FailureType, SlackFailureType, TeamsFailureType } from '../../../domain/failure-types';

/**
 * Failure types are in recorded histories, in actions' `error.type` and in audit events: a value
 * may be added, never changed. These are the strings each one had before they were constants.
 */
describe('failure types', () => {
  test('keep the strings recorded histories and clients know', () => {
    expect(FailureType).toEqual({
      UnknownAction: 'UnknownAction',
      InvalidParams: 'InvalidParams',
      IdentityUnverified: 'identity_unverified',
      SessionPolicyTooLarge: 'SessionPolicyTooLarge',
      SessionPolicyError: 'SessionPolicyError',
      SessionTimeBoundExceeded: 'SessionTimeBoundExceeded',
      IncompleteCredentials: 'IncompleteCredentials',
      CredentialLeak: 'CredentialLeak',
      PreconditionFailed: 'precondition_failed',
      InvalidPreconditions: 'invalid_preconditions',
      NetworkError: 'NetworkError',
      AwsError: 'AwsError',
      CallbackNotAllowed: 'CallbackNotAllowed',
      CallbackUnavailable: 'CallbackUnavailable',
      CallbackRefused: 'CallbackRefused',
      ChannelNotAvailable: 'ChannelNotAvailable',
      PreviewTimeout: 'PreviewTimeout',
      Unnamed: 'Error',
    });
    expect(SlackFailureType).toEqual({
      RateLimited: 'SlackRateLimited',
      Permanent: 'SlackPermanentError',
      Unavailable: 'SlackUnavailable',
      NotConfigured: 'SlackNotConfigured',
    });
    expect(TeamsFailureType).toEqual({
      RateLimited: 'TeamsRateLimited',
      Permanent: 'TeamsPermanentError',
      Unavailable: 'TeamsUnavailable',
      NotConfigured: 'TeamsNotConfigured',
    });
    expect(EmailFailureType).toEqual({
      Permanent: 'EmailPermanentError',
      Unavailable: 'EmailUnavailable',
      NotConfigured: 'EmailNotConfigured',
    });
  });
});
