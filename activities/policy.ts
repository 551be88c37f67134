import { evaluatePolicy as decide, evaluatePolicyBeforePreview as decideBeforePreview, type EvaluationRequest, type LoadedPolicy } from '../policy';
import type { Catalogue } from '../operations/catalogue';
import type { JsonObject, OperationFacts, PolicyEvaluation, PolicyEvaluationBeforePreview, Requester } from '../domain/types';
import type { AwsSettings } from './aws-settings';
import { operationFactsOf } from './operation-facts';
import { operationGrants } from './operation-grants';
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
export function createPolicyActivities(deps: { policy: () => LoadedPolicy; catalogue: Catalogue; aws: Pick<AwsSettings, 'partition'> }) {
  /**
   * The operation's facts, and the request as policy sees it: with what its session policy grants
   * and, for an MCP gateway tool, the tool's annotations. Both come from the catalogue, never the caller.
   */
  const resolve = (input: EvaluatePolicyInput): { operation: OperationFacts; request: EvaluationRequest } => {
    const { operation, params } = resolveOperation(deps.catalogue, input.action, input.params);
    const annotations = operation.tool?.annotations;
    // An execution without AWS credentials is granted nothing, whatever its session policy says.
    const grants = operation.usesAwsCredentials?.('execute') === false ? [] : operationGrants(operation, params, deps.aws.partition);
    return { operation: operationFactsOf(operation, params), request: { ...input, grants, ...(annotations ? { annotations } : {}) } };
  };
  return {
    async evaluatePolicy(input: EvaluatePolicyInput): Promise<PolicyEvaluation> {
      const { operation, request } = resolve(input);
      return { decision: decide(deps.policy(), request), operation };
    },

    /** Decides on params alone when policy can; says so when it needs the preview first. */
    async evaluatePolicyBeforePreview(input: EvaluatePolicyInput): Promise<PolicyEvaluationBeforePreview> {
      const { operation, request } = resolve(input);
      const decision = decideBeforePreview(deps.policy(), request);
      return decision ? { decision, needsPreview: false, operation } : { needsPreview: true, operation };
    },
  };
}
