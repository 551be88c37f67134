/** The policy file: schema, loader (errors name file, line and field) and the pure evaluator. */
export { InvalidDurationError, parseDuration } from './duration';
export { compileGlob, evaluatePolicy, evaluatePolicyBeforePreview, type EvaluationRequest, type Glob } from './evaluate';
export { channelIdOf, groupMembers, IDENTITY_CHANNELS, resolveChannelIdentity, type IdentityChannel } from './identities';
export { formatPath, loadPolicyFile, parsePolicy, PolicyFileError, type PolicyIssue } from './load';
export { REVIEW_OUTLOOKS, reviewOutlook, type ReviewOutlook } from './review-outlook';
export {
  DEFAULT_RULE_ID,
  policySchema,
  type DefaultOutcome,
  type IdentityChannels,
  type LoadedPolicy,
  type ParamMatcher,
  type PolicyDocument,
  type PolicyMatch,
  type PolicyRule,
  type ReviewSpec,
} from './schema';
