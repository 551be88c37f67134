import { evaluatePolicy as decide, evaluatePolicyBeforePreview as decideBeforePreview, type LoadedPolicy } from '../policy';
import type { Catalogue } from '../operations/catalogue';
import type { JsonObject, OperationFacts, PolicyEvaluation, PolicyEvaluationBeforePreview, Requester } from '../domain/types';
import { operationFactsOf } from './operation-facts';
import { resolveOperation } from './resolve-operation';

export interface EvaluatePolicyInput {
  action: string;
  params: JsonObject;
  requester: Requester;
  context?: JsonObject | undefined;
  /** The preview's facts (`{}` when it failed); absent before any preview. */
  preview?: JsonObject;
}

/** The policy activities: pure evaluation, run as activities so decisions and the policy hash land in history. */
export function createPolicyActivities(deps: { policy: () => LoadedPolicy; catalogue: Catalogue }) {
  const factsOf = (input: EvaluatePolicyInput): OperationFacts => {
    const { operation, params } = resolveOperation(deps.catalogue, input.action, input.params);
    return operationFactsOf(operation, params);
  };
  return {
    async evaluatePolicy(input: EvaluatePolicyInput): Promise<PolicyEvaluation> {
      const operation = factsOf(input);
      return { decision: decide(deps.policy(), input), operation };
    },

    /** Decides on params alone when policy can; says so when it needs the preview first. */
    async evaluatePolicyBeforePreview(input: EvaluatePolicyInput): Promise<PolicyEvaluationBeforePreview> {
      const operation = factsOf(input);
      const decision = decideBeforePreview(deps.policy(), input);
      return decision ? { decision, needsPreview: false, operation } : { needsPreview: true, operation };
    },
  };
}
