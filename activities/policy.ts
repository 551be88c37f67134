import { ApplicationFailure } from '@temporalio/common';
import { evaluatePolicy as decide, type LoadedPolicy } from '../policy';
import type { Catalogue } from '../operations/catalogue';
import type { JsonObject, PolicyEvaluation, Requester } from '../workflows/types';
import { operationFacts } from './operation-facts';

export interface EvaluatePolicyInput {
  action: string;
  params: JsonObject;
  requester: Requester;
  context?: JsonObject;
}

/** The policy activity: pure evaluation, run as an activity so the decision and policy hash land in history. */
export function createPolicyActivities(deps: { policy: () => LoadedPolicy; catalogue: Catalogue }) {
  return {
    async evaluatePolicy(input: EvaluatePolicyInput): Promise<PolicyEvaluation> {
      let operation;
      try {
        operation = operationFacts(deps.catalogue, input.action, input.params);
      } catch (err) {
        // The API validates first; reaching here means a client bypassed it. Retrying cannot help.
        throw ApplicationFailure.create({ type: 'InvalidParams', message: (err as Error).message, nonRetryable: true });
      }
      const decision = decide(deps.policy(), input);
      return { decision, operation };
    },
  };
}
