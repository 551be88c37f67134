import type { LoadedPolicy } from '../policy';
import type { Catalogue } from '../operations/catalogue';
import type { AwsSettings } from './aws-settings';
import { createExecuteActivities } from './execute';
import { createPolicyActivities } from './policy';

export interface ActivityDeps {
  /** The current policy; a function so a reload takes effect for new requests only. */
  policy: () => LoadedPolicy;
  catalogue: Catalogue;
  aws: AwsSettings;
}

/** Every activity the worker registers, bound to its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createPolicyActivities(deps),
    ...createExecuteActivities({ catalogue: deps.catalogue, aws: deps.aws }),
  };
}

export type Activities = ReturnType<typeof createActivities>;
