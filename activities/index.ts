import type { AuditLog } from '../audit/audit-log';
import { createChannelActivities, type OutboundDeps } from '../channels/outbound-registry';
import type { Catalogue } from '../operations/catalogue';
import { createAdmissionActivities } from './admission';
import { createAuditActivities } from './audit';
import type { AwsSettings } from './aws-settings';
import { createExecuteActivities } from './execute';
import { createIdentityActivities } from './identity';
import type { TrustedKey } from '../domain/identity-proof';
import type { LifecycleMetrics } from './lifecycle-metrics';
import { createPolicyActivities } from './policy';
import { createPreviewActivities } from './preview';

/**
 * What the activities need. The channels' part (the policy, links, Slack, Teams, callbacks) is
 * OutboundDeps; `policy` is a function so a reload takes effect for new requests only.
 */
export interface ActivityDeps extends OutboundDeps {
  catalogue: Catalogue;
  aws: AwsSettings;
  /** The audit trail: the workflow's events, and each credential as it is issued. */
  audit: AuditLog;
  /** Lifecycle series (decision time, approval to execution, completions); unset: none recorded. */
  metrics?: LifecycleMetrics | undefined;
  /** Public keys of the API's identity signers: a start they did not sign runs nothing. */
  identityKeys: readonly TrustedKey[];
}

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  const identity = createIdentityActivities({ identityKeys: deps.identityKeys, audit: deps.audit });
  const policy = createPolicyActivities(deps);
  const audit = createAuditActivities(deps.audit, deps.metrics);
  const preview = createPreviewActivities({ catalogue: deps.catalogue, aws: deps.aws, audit: deps.audit });
  return {
    ...identity,
    ...policy,
    ...createExecuteActivities({ catalogue: deps.catalogue, aws: deps.aws, audit: deps.audit, metrics: deps.metrics }),
    ...preview,
    // Every channel's outbound activities (Slack, Teams, the requester callback), from its registry.
    ...createChannelActivities(deps),
    ...audit,
    ...createAdmissionActivities({ ...identity, ...policy, ...audit, ...preview }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
