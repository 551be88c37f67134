import type { Grant } from '../domain/grants';
import { accessLevelOfAction } from '../operations/aws-reference';
import type { Operation } from '../operations/types';

/**
 * What the operation's session policy allows for these params, one IAM action on one resource at
 * a time, each with its access level from AWS's service authorization reference: what policy
 * rules on `grants` match. Only Allow statements grant anything.
 */
export function operationGrants(operation: Operation<unknown>, params: unknown, partition: string): Grant[] {
  const grants: Grant[] = [];
  for (const statement of operation.sessionPolicy(params, partition).Statement) {
    if (statement.Effect !== 'Allow') continue;
    for (const iamAction of statement.Action) {
      const accessLevel = accessLevelOfAction(iamAction);
      for (const resource of statement.Resource) grants.push({ iamAction, accessLevel, resource });
    }
  }
  return grants;
}
