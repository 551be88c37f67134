/** The policy file: schema, loader (errors name file, line and field) and the pure evaluator. */
export { InvalidDurationError, parseDuration } from './duration';
export { compileGlob, evaluatePolicy, evaluatePolicyBeforePreview, type EvaluationRequest, type Glob } from './evaluate';
export {
  channelIdOf,
  groupMembers,
  IDENTITY_CHANNELS,
  idpGroupsOfGroups,
  isGroupMember,
  membersOfGroups,
  resolveChannelIdentity,
  type IdentityChannel,
} from './identities';
export { formatPath, loadPolicyFile, parsePolicy, PolicyFileError, type PolicyIssue } from './load';
export { REVIEW_OUTLOOKS, reviewOutlook, type ReviewOutlook } from './review-outlook';
export { consoleRolesOf } from './roles';
export { qualifiesForPool } from '../domain/approver-pool';
export {
  CONSOLE_ROLES,
  DEFAULT_RULE_ID,
  policySchema,
  type ConsoleRole,
  type DefaultOutcome,
  type IdentityChannels,
  type LoadedPolicy,
  type ParamMatcher,
  type PolicyDocument,
  type PolicyGroup,
  type PolicyMatch,
  type PolicyRule,
  type ReviewSpec,
  type RolesSpec,
  type StepUpSpec,
} from './schema';
