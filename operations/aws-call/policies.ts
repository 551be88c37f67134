import { referenceAction } from '../aws-reference';
import type { IamPolicyDocument, IamStatement } from '../types';
import { actionStatement, derivePermissions, type DerivedPermissions } from './derive';
import { previewHookFor } from './hooks';
import type { PreviewHook } from './hooks/hook';
import type { AwsCallTarget } from './derive';

/*
 * The two policies of one `aws.call`: the session policy (the call's statements, and the preview
 * hook's reads when the execution checks the target again) and the preview policy (the hook's
 * reads alone). `partition` undefined: checked at the edge, where the worker's is not known.
 */

/** A preview policy that allows nothing: what a call with no target to read previews with. */
const NOTHING_TO_READ: IamPolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Deny', Action: ['*'], Resource: ['*'] }],
};

/** Calls that change nothing: no look at the target is needed. */
export const READ_ONLY_LEVELS: ReadonlySet<string> = new Set(['Read', 'List']);

/** The preview hook of a call that changes something; none for Read and List calls. */
export function hookFor(target: AwsCallTarget, derived: DerivedPermissions): PreviewHook | undefined {
  return READ_ONLY_LEVELS.has(derived.accessLevel) ? undefined : previewHookFor(target.service, target.operation);
}

/** The hook's read actions, each on the call's own resources. */
function readStatements(hook: PreviewHook, target: AwsCallTarget, partition: string | undefined): IamStatement[] {
  return hook.reads.map((read) => {
    const action = referenceAction(read);
    // A hook that names an action the reference lacks, or one that is not read-only, is a bug here, not bad input.
    if (!action || !READ_ONLY_LEVELS.has(action.accessLevel)) {
      throw new Error(`preview hook of ${target.service} ${target.operation}: ${read} is not a read-only IAM action`);
    }
    return actionStatement(action, target, { partition });
  });
}

/** The call's statements, and the hook's reads when the execution looks again before it runs. */
export function callSessionPolicy(target: AwsCallTarget, partition: string | undefined): IamPolicyDocument {
  const derived = derivePermissions(target, { partition });
  const hook = hookFor(target, derived);
  const recheck = hook?.rechecks ? readStatements(hook, target, partition) : [];
  return { Version: '2012-10-17', Statement: [...derived.statements, ...recheck] };
}

/** The hook's reads on the call's own resources; nothing for read-only calls or calls with no hook. */
export function callPreviewPolicy(target: AwsCallTarget, partition: string | undefined): IamPolicyDocument {
  const hook = hookFor(target, derivePermissions(target, { partition }));
  return hook ? { Version: '2012-10-17', Statement: readStatements(hook, target, partition) } : NOTHING_TO_READ;
}
