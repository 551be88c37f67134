import type { AuditLog } from '../audit/audit-log';
import type { LoadedPolicy } from '../policy';
import type { Catalogue } from '../operations/catalogue';
import { createAuditActivities } from './audit';
import type { AwsSettings } from './aws-settings';
import { createExecuteActivities } from './execute';
import { createIdentityActivities } from './identity';
import type { TrustedKey } from '../domain/identity-proof';
import type { LifecycleMetrics } from './lifecycle-metrics';
import { createCallbackActivities, type CallbackSettings } from './notify/callback';
import type { MessageLinks } from './notify/review-message';
import { createSlackActivities } from './notify/slack/activities';
import type { SlackSettings } from './notify/slack/client';
import { createTeamsActivities } from './notify/teams/activities';
import type { TeamsSettings } from './notify/teams/connector';
import { createPolicyActivities } from './policy';
import { createPreviewActivities } from './preview';

export interface ActivityDeps {
  /** The current policy; a function so a reload takes effect for new requests only. */
  policy: () => LoadedPolicy;
  catalogue: Catalogue;
  aws: AwsSettings;
  /** Unset: Slack is not configured, and a policy naming a Slack channel records a failed delivery. */
  slack?: SlackSettings;
  /** Unset: Teams is not configured, and a policy naming a Teams conversation records a failed delivery. */
  teams?: TeamsSettings;
  /** For links in channel messages. */
  links: MessageLinks;
  callbacks: CallbackSettings;
  /** The audit trail: the workflow's events, and each credential as it is issued. */
  audit: AuditLog;
  /** Lifecycle series (decision time, approval to execution, completions); unset: none recorded. */
  metrics?: LifecycleMetrics;
  /** Public keys of the API's identity signers: a start they did not sign runs nothing. */
  identityKeys: readonly TrustedKey[];
}

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createIdentityActivities({ identityKeys: deps.identityKeys, audit: deps.audit }),
    ...createPolicyActivities(deps),
    ...createExecuteActivities({ catalogue: deps.catalogue, aws: deps.aws, audit: deps.audit }),
    ...createPreviewActivities({ catalogue: deps.catalogue, aws: deps.aws, audit: deps.audit }),
    ...createSlackActivities({ ...(deps.slack ? { slack: deps.slack } : {}), links: deps.links, policy: deps.policy }),
    ...createTeamsActivities({ ...(deps.teams ? { teams: deps.teams } : {}), links: deps.links, policy: deps.policy }),
    ...createCallbackActivities(deps.callbacks),
    ...createAuditActivities(deps.audit, deps.metrics),
  };
}

export type Activities = ReturnType<typeof createActivities>;
