import { join } from 'node:path';
import { createActivities, type Activities } from '../../activities';
import type { AwsSettings } from '../../activities/aws-settings';
import type { AuditLog } from '../../audit/audit-log';
import type { TrustedKey } from '../../domain/identity-proof';
import type { Catalogue } from '../../operations/catalogue';
import { loadPolicyFile, type LoadedPolicy } from '../../policy';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { benchCatalogue } from './noop-operation';

/** bench/workflow-policy.yaml: bench-auto is allowed at once, bench-agent waits for one reviewer, bench-agent-2 for two. */
export const BENCH_POLICY_FILE = join(PROJECT_ROOT, 'bench', 'workflow-policy.yaml');

export function loadBenchPolicy(): LoadedPolicy {
  return loadPolicyFile(BENCH_POLICY_FILE);
}

/**
 * Airlock's real activities with the bench catalogue (or `catalogue`): policy, preview and execute
 * (STS on moto), audit writes. No Slack and no callbacks: the bench policies announce on `api` only.
 */
export function benchActivities(deps: {
  policy: LoadedPolicy;
  aws: AwsSettings;
  audit: AuditLog;
  identityKeys: readonly TrustedKey[];
  catalogue?: Catalogue;
}): Activities {
  return createActivities({
    policy: () => deps.policy,
    catalogue: deps.catalogue ?? benchCatalogue(),
    aws: deps.aws,
    links: { namespace: 'default' },
    callbacks: { allowedHosts: [] },
    audit: deps.audit,
    identityKeys: deps.identityKeys,
  });
}
