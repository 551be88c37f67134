/** IAM access levels, as AWS's service authorization reference names them. */
export const ACCESS_LEVELS = ['List', 'Read', 'Write', 'Permissions management', 'Tagging'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/**
 * One permission an action's session policy grants: one IAM action on one resource, with the
 * action's access level from the reference (undefined for an action the reference does not
 * list). Policy rules match on these (`match.grants`).
 */
export interface Grant {
  /** `dynamodb:DeleteItem`. */
  iamAction: string;
  accessLevel?: AccessLevel | undefined;
  /** An ARN, or `*` for an action that applies to no resource type. */
  resource: string;
}
