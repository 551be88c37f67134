import { ApplicationFailure, currentUpdateInfo, workflowInfo } from '@temporalio/workflow';
import { cancelStatement, decideStatement, proofProblem, type IdentityStatement, type TrustedKey } from '../domain/identity-proof';
import { trustedIdentityKeys } from './trusted-keys';
import { RefusalCode, type CancelInput, type DecideInput, type IdentityProof } from '../domain/types';

/** What a proof is checked against: this workflow, this Update, the worker's keys. */
export interface ProofScope {
  workflowId: string;
  updateId: string | undefined;
  keys: readonly TrustedKey[];
}

/**
 * Part of the `decide` validator, run before the rules in refusals.ts: the vote must carry a valid,
 * fresh proof from Airlock's identity layer, made for this action and this very Update. A vote sent
 * straight to Temporal (any reviewer name, a proof replayed from another action or Update, a proof
 * with an untrusted key) is refused before anything reaches history.
 */
export function refuseUnprovenDecision(decision: DecideInput, now: number, scope: ProofScope = currentScope()): void {
  const updateId = updateIdOrRefuse(scope);
  refuseUnlessProven(decision?.proof, () => decideStatement(scope.workflowId, updateId, decision), scope.keys, now);
}

/** Part of the `cancel` validator, as for votes. */
export function refuseUnprovenCancel(request: CancelInput, now: number, scope: ProofScope = currentScope()): void {
  const updateId = updateIdOrRefuse(scope);
  refuseUnlessProven(request?.proof, () => cancelStatement(scope.workflowId, updateId, request), scope.keys, now);
}

/** Inside a validator: the running workflow, the Update being validated, the keys in the bundle. */
function currentScope(): ProofScope {
  return { workflowId: workflowInfo().workflowId, updateId: currentUpdateInfo()?.id, keys: trustedIdentityKeys() };
}

function updateIdOrRefuse(scope: ProofScope): string {
  if (!scope.updateId) throw identityRefusal('no Update id to bind the identity proof to');
  return scope.updateId;
}

function refuseUnlessProven(proof: IdentityProof | undefined, statement: () => IdentityStatement, keys: readonly TrustedKey[], now: number): void {
  let built: IdentityStatement;
  try {
    built = statement();
  } catch {
    throw identityRefusal('the input is malformed');
  }
  const problem = proofProblem(proof, built, keys, now);
  if (problem) throw identityRefusal(problem.message);
}

function identityRefusal(message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: RefusalCode.IdentityUnverified, message: `identity not verified: ${message}`, nonRetryable: true });
}
