import { z } from 'zod';
import { channelProblem } from '../channels/kinds';
import { IDENTITY_ID_PATTERN, type PrincipalRole } from '../config/principals';
import { expecting } from '../config/yaml-file';
import { ACCESS_LEVELS } from '../domain/grants';
import { parseDuration } from './duration';

/*
 * The policy file, as zod sees it. Every object is strict so a misspelt key is an error rather
 * than a silently ignored rule. Checks that need the whole document (group references, unique
 * rule ids, quorum against group sizes) live in load.ts, after this schema has passed.
 */

/** Group names are referenced as `group:NAME`, so they cannot contain a colon. */
export const GROUP_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const RULE_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
/** Slack user ids: `U…`, or `W…` on Enterprise Grid. */
export const SLACK_USER_ID_PATTERN = /^[UW][A-Z0-9]{2,}$/;
/** Teams users are Azure AD (Entra) object ids. */
export const TEAMS_OBJECT_ID_PATTERN = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
export const REQUESTER_GROUP_PREFIX = 'group:';

/** The rule id reported when no rule matched. */
export const DEFAULT_RULE_ID = 'default';

/** How long reviewers have when neither the review nor defaults.review sets a timeout. */
export const DEFAULT_REVIEW_TIMEOUT = '24h';

const identityId = z
  .string(expecting('an identity id'))
  .regex(IDENTITY_ID_PATTERN, 'must be an identity id: 2-64 letters, digits and _+=,.@- starting with a letter or digit');

const groupName = z
  .string(expecting('a group name'))
  .regex(GROUP_NAME_PATTERN, 'must be a group name: 1-64 letters, digits and _.- starting with a letter or digit');

/**
 * A group as an identity provider's groups claim names it (`sec-oncall`, `okta:Security Team`, an
 * Entra object id). Compared exactly, case included: IdPs differ on case, and a looser match could
 * let one group stand for another.
 */
export const IDP_GROUP_PATTERN = /^[^\p{Cc}]{1,256}$/u;

const idpGroupName = z
  .string(expecting('an IdP group name'))
  .regex(IDP_GROUP_PATTERN, 'must be an IdP group name: 1-256 characters, no control characters')
  // A claim never carries the padding, so a padded name would silently match nobody.
  .refine((name) => name.trim() === name, 'must not begin or end with whitespace');

/** A single value or a list; always a list once parsed, so evaluation has one shape to handle. */
function oneOrMany<T extends z.ZodType<string>>(item: T, description: string, min: number) {
  return z.preprocess(
    (value) => (typeof value === 'string' ? [value] : value),
    z.array(item, expecting(`${description} or a list of them`)).min(min, `must list at least ${min} ${min === 1 ? 'entry' : 'entries'}`),
  );
}

/** How old a step-up sign-in may be, at least and at most. */
export const STEP_UP_MIN_MAX_AGE = '1m';
export const STEP_UP_MAX_MAX_AGE = '24h';

/** The roles a `roles:` section gives console people; `requester` and `operator` are API-key roles (config/principals.ts). */
export const CONSOLE_ROLES = ['reviewer', 'auditor', 'admin'] as const satisfies readonly PrincipalRole[];
export type ConsoleRole = (typeof CONSOLE_ROLES)[number];

/** A duration such as `90s` or `1h` (policy/duration.ts), for any YAML file that has one. */
export const durationSchema = z.string(expecting('a duration such as 90s, 15m, 1h or 2d')).superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** A duration from `min` to `max` inclusive; one message per problem (a bad duration is not also out of range). */
function boundedDuration(min: string, max: string) {
  const minMs = parseDuration(min);
  const maxMs = parseDuration(max);
  return z.string(expecting(`a duration from ${min} to ${max}`)).superRefine((text, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return;
    }
    if (ms < minMs || ms > maxMs) ctx.addIssue({ code: 'custom', message: `must be from ${min} to ${max} (is ${text})` });
  });
}

/**
 * `api`, or a registered channel kind and a target (channels/kinds.ts). A kind Airlock cannot
 * deliver to is refused here, so a review is never announced to nowhere without anyone noticing.
 */
const channelSchema = z.string(expecting('a channel')).superRefine((channel, ctx) => {
  const problem = channelProblem(channel);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
});

const riskSchema = z.enum(['low', 'medium', 'high', 'critical'], expecting('one of low, medium, high, critical'));
const effectSchema = z.enum(['deny', 'allow', 'review'], expecting('one of deny, allow, review'));

/** Values that `equals` and `in` compare against: JSON scalars, compared with their type (`5` is not `"5"`). */
const scalarSchema = z.union([z.string(), z.number(), z.boolean()], expecting('a string, number or boolean'));
const scalarList = z.array(scalarSchema, expecting('a list of strings, numbers or booleans')).min(1, 'must list at least 1 value');
const numberSchema = z.number(expecting('a number'));

export const PARAM_OPERATORS = ['equals', 'notEquals', 'in', 'notIn', 'matches', 'gt', 'gte', 'lt', 'lte', 'exists'] as const;

/** Conditions on one param; every operator present must hold. */
export const paramMatcherSchema = z
  .strictObject(
    {
      equals: scalarSchema.optional(),
      notEquals: scalarSchema.optional(),
      in: scalarList.optional(),
      notIn: scalarList.optional(),
      /** Glob: `*` any run of characters, `?` one character, anchored at both ends. */
      matches: z.string(expecting('a glob pattern (a string)')).optional(),
      gt: numberSchema.optional(),
      gte: numberSchema.optional(),
      lt: numberSchema.optional(),
      lte: numberSchema.optional(),
      exists: z.boolean(expecting('true or false')).optional(),
    },
    expecting(`a mapping of operators (${PARAM_OPERATORS.join(', ')})`),
  )
  .refine((matcher) => Object.values(matcher).some((value) => value !== undefined), {
    error: `must have at least one operator: ${PARAM_OPERATORS.join(', ')}`,
  });

const paramPath = z.string().regex(/^[^.]+(\.[^.]+)*$/, 'must be a dotted path into params, e.g. destinationBucket or tags.env');

const requesterEntry = z
  .string(expecting('an identity id or group:NAME'))
  .refine(
    (entry) =>
      entry.startsWith(REQUESTER_GROUP_PREFIX) ? GROUP_NAME_PATTERN.test(entry.slice(REQUESTER_GROUP_PREFIX.length)) : IDENTITY_ID_PATTERN.test(entry),
    'must be an identity id or group:NAME',
  );

/**
 * Conditions on what the action's session policy grants: one IAM action on one resource at a time
 * (a grant). For a deny or review rule, the rule matches when any grant meets every condition
 * given; for an allow rule, when every grant does, so "allow Read" never lets a Write through.
 */
export const grantsMatcherSchema = z
  .strictObject(
    {
      /** IAM access levels from AWS's service authorization reference. */
      accessLevel: oneOrMany(z.enum(ACCESS_LEVELS, expecting(`one of ${ACCESS_LEVELS.join(', ')}`)), 'an access level', 1).optional(),
      /** IAM action globs, e.g. `dynamodb:Delete*`. */
      iamAction: oneOrMany(z.string().min(1, 'must not be empty'), 'an IAM action glob', 1).optional(),
      /** Resource ARN globs, e.g. `arn:aws:dynamodb:*:*:table/prod-*`. */
      resource: oneOrMany(z.string().min(1, 'must not be empty'), 'an ARN glob', 1).optional(),
    },
    expecting('a mapping with accessLevel, iamAction and/or resource'),
  )
  .refine((matcher) => Object.values(matcher).some((value) => value !== undefined), {
    error: 'must have at least one of accessLevel, iamAction, resource',
  });

/** The MCP tool annotations a rule can match on: the boolean hints (not `title`). */
export { ANNOTATION_HINTS, ANNOTATION_HINT_DEFAULTS, type AnnotationHint } from '../domain/tool-annotations';
import { ANNOTATION_HINTS } from '../domain/tool-annotations';

const hintSchema = z.boolean(expecting('true or false')).optional();

/**
 * Conditions on an MCP gateway tool's annotations: every hint given must equal the tool's
 * effective value (its declared hint, else MCP's default). An operation that is not an MCP tool
 * has no annotations and matches no such rule.
 */
export const annotationsMatcherSchema = z
  .strictObject(
    { readOnlyHint: hintSchema, destructiveHint: hintSchema, idempotentHint: hintSchema, openWorldHint: hintSchema },
    expecting('a mapping with readOnlyHint, destructiveHint, idempotentHint and/or openWorldHint'),
  )
  .refine((matcher) => Object.values(matcher).some((value) => value !== undefined), {
    error: `must have at least one of ${ANNOTATION_HINTS.join(', ')}`,
  });

export const matchSchema = z.strictObject(
  {
    /** Catalogue action names; `*` and `?` are wildcards (`s3.*`). */
    action: oneOrMany(z.string().min(1, 'must not be empty'), 'an action name', 1),
    /** Identity ids or `group:NAME`; absent means any requester. */
    requester: oneOrMany(requesterEntry, 'an identity id or group:NAME', 1).optional(),
    /** Keys are dotted paths into the request params. */
    params: z.record(paramPath, paramMatcherSchema, expecting('a mapping of param paths to matchers')).optional(),
    /** Keys are preview fact names (e.g. sourceBytes); the impact is previewed only when such a rule is reached. */
    preview: z.record(paramPath, paramMatcherSchema, expecting('a mapping of preview fact names to matchers')).optional(),
    /** What the session policy grants: access level, IAM action, resource ARN. */
    grants: grantsMatcherSchema.optional(),
    /** An MCP gateway tool's annotation hints; a request for any other operation never matches. */
    annotations: annotationsMatcherSchema.optional(),
  },
  expecting('a mapping with action and optionally requester, params, preview, grants and annotations'),
);

export const escalationSchema = z.strictObject(
  {
    /** How long after the review opens, with no decision yet; must be shorter than the review timeout. */
    after: durationSchema,
    /** Group names whose members may also vote from then on, and are told so. */
    approvers: oneOrMany(groupName, 'a group name', 1),
    /** Where the escalation is announced; default: the review's channels. */
    channels: oneOrMany(channelSchema, 'a channel', 1).optional(),
  },
  expecting('a mapping with after, approvers and optionally channels'),
);

/** A fresh sign-in for every vote: the console sends the reviewer through the IdP again (`max_age`). */
export const stepUpSchema = z.strictObject(
  {
    /** How long ago the voter may have signed in at the IdP, at most, when the vote is cast. */
    maxAge: boundedDuration(STEP_UP_MIN_MAX_AGE, STEP_UP_MAX_MAX_AGE),
  },
  expecting('a mapping with maxAge'),
);

export const reviewSchema = z.strictObject(
  {
    /** Group names; members of any of them may vote. */
    approvers: oneOrMany(groupName, 'a group name', 1),
    /** Distinct approvals needed; default 1. */
    quorum: z.number(expecting('a whole number')).int('must be a whole number').min(1, 'must be at least 1').optional(),
    /** Default: defaults.review.timeout, else 24h. */
    timeout: durationSchema.optional(),
    /** Default: defaults.review.channels, else [api]. */
    channels: oneOrMany(channelSchema, 'a channel', 1).optional(),
    /** Reminders to reviewers who have not voted, each this long before the deadline. Default: defaults.review.remindBefore, else none. */
    remindBefore: oneOrMany(durationSchema, 'a duration', 0).optional(),
    /** Widens the review to more approvers when no decision has come after a while. */
    escalation: escalationSchema.optional(),
    /** Votes count only from a console sign-in at most this old; chat clicks and API keys cannot give one. */
    stepUp: stepUpSchema.optional(),
  },
  expecting('a mapping with approvers and optionally quorum, timeout, channels, remindBefore, escalation, stepUp'),
);

const outcomeFields = {
  effect: effectSchema,
  /** Default: low for allow, medium for review, high for deny. */
  risk: riskSchema.optional(),
  /** Shown to the requester and reviewers; generated from the rule id when absent. */
  reason: z.string(expecting('a string')).min(1, 'must not be empty').optional(),
  /** Required when effect is review, refused otherwise. */
  review: reviewSchema.optional(),
};

function reviewOnlyWithReviewEffect(outcome: { effect: string; review?: unknown }, ctx: z.RefinementCtx): void {
  if (outcome.effect === 'review' && outcome.review === undefined) {
    ctx.addIssue({ code: 'custom', path: ['review'], message: 'required when effect is review' });
  }
  if (outcome.effect !== 'review' && outcome.review !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['review'], message: `only allowed when effect is review (effect is ${outcome.effect})` });
  }
}

export const ruleSchema = z
  .strictObject(
    {
      id: z
        .string(expecting('a rule id'))
        .regex(RULE_ID_PATTERN, 'must be 1-128 letters, digits and _.- starting with a letter or digit')
        .refine((id) => id !== DEFAULT_RULE_ID, `"${DEFAULT_RULE_ID}" is reserved for the decision when no rule matches`),
      /** For people reading the policy; not shown to requesters. */
      description: z.string(expecting('a string')).optional(),
      match: matchSchema,
      ...outcomeFields,
    },
    expecting('a mapping with id, match, effect'),
  )
  .superRefine(reviewOnlyWithReviewEffect);

/** What happens when no rule matches. */
export const defaultOutcomeSchema = z
  .strictObject(outcomeFields, expecting('a mapping with effect and optionally reason, risk, review'))
  .superRefine(reviewOnlyWithReviewEffect);

/** A policy group once parsed, whichever form it was written in: identity ids, and IdP groups whose members belong too. */
export interface PolicyGroup {
  members: string[];
  idpGroups: string[];
}

const GROUP_FORMS = 'an identity id, a list of them, or a mapping with members and/or idpGroups';

/** The list form: `data-owners: [alice, bob]`, or one member as a string. */
const groupListSchema = z.preprocess((value) => (typeof value === 'string' ? [value] : value), z.array(identityId, expecting(GROUP_FORMS)));

/** The mapping form: `security: { members: [dave], idpGroups: [sec-oncall] }`. */
const groupMappingSchema = z.strictObject(
  {
    /** Identity ids, as in the list form. */
    members: oneOrMany(identityId, 'an identity id', 0).optional(),
    /** Groups of the console's identity provider (its groups claim) whose members belong to this group too. */
    idpGroups: oneOrMany(idpGroupName, 'an IdP group name', 0).optional(),
  },
  expecting('a mapping with members and/or idpGroups'),
);

/**
 * A group in either form, always `{ members, idpGroups }` once parsed. The form is chosen by the
 * value's shape and only that form's schema reports, so a bad member is named at its own path
 * (`groups.security.members[1]`) rather than as a union that matched neither.
 */
const groupSchema = z.unknown().transform((value, ctx): PolicyGroup => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const list = groupListSchema.safeParse(value);
    if (list.success) return { members: list.data, idpGroups: [] };
    reportNested(list.error.issues, ctx);
    return z.NEVER;
  }
  if (Object.keys(value).length === 0) {
    ctx.addIssue({ code: 'custom', message: 'must have members and/or idpGroups (an empty group is written [])' });
    return z.NEVER;
  }
  const mapping = groupMappingSchema.safeParse(value);
  if (mapping.success) return { members: mapping.data.members ?? [], idpGroups: mapping.data.idpGroups ?? [] };
  reportNested(mapping.error.issues, ctx);
  return z.NEVER;
});

/** Passes a nested parse's issues on at their paths; every message below is the schema's own, but unknown keys get the file's wording. */
function reportNested(issues: readonly z.core.$ZodIssue[], ctx: z.RefinementCtx): void {
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        ctx.addIssue({ code: 'custom', path: [...issue.path, key], message: 'unknown field (expected one of: members, idpGroups)' });
      }
    } else {
      ctx.addIssue({ code: 'custom', path: [...issue.path], message: issue.message });
    }
  }
}

/** Console roles to the groups whose members hold them (directly or through the groups' IdP groups). */
export const rolesSchema = z.strictObject(
  {
    /** Required once there is a `roles:` section, so naming auditors never leaves the console without reviewers unnoticed. */
    reviewer: oneOrMany(groupName, 'a group name', 0),
    auditor: oneOrMany(groupName, 'a group name', 0).optional(),
    admin: oneOrMany(groupName, 'a group name', 0).optional(),
  } satisfies Record<ConsoleRole, z.ZodType>,
  expecting(`a mapping of console roles (${CONSOLE_ROLES.join(', ')}) to group names`),
);

export const identityChannelsSchema = z.preprocess(
  // `etl-bot:` with nothing after it is an identity with no channel ids.
  (value) => value ?? {},
  z.strictObject(
    {
      email: z.email('must be an email address').optional(),
      slack: z.string(expecting('a Slack user id')).regex(SLACK_USER_ID_PATTERN, 'must be a Slack user id such as U01ABCDEF').optional(),
      teams: z.string(expecting('an Azure AD object id')).regex(TEAMS_OBJECT_ID_PATTERN, 'must be an Azure AD object id (a GUID)').optional(),
    },
    expecting('a mapping of channel ids (email, slack, teams)'),
  ),
);

export const policySchema = z.strictObject(
  {
    version: z.literal(1, expecting('1')),
    identities: z.record(identityId, identityChannelsSchema, expecting('a mapping of identity ids')).optional(),
    groups: z.record(groupName, groupSchema, expecting('a mapping of group names to members')).optional(),
    roles: rolesSchema.optional(),
    defaults: z
      .strictObject(
        {
          review: z
            .strictObject(
              {
                timeout: durationSchema.optional(),
                channels: oneOrMany(channelSchema, 'a channel', 1).optional(),
                remindBefore: oneOrMany(durationSchema, 'a duration', 0).optional(),
              },
              expecting('a mapping with timeout, channels and/or remindBefore'),
            )
            .optional(),
        },
        expecting('a mapping with review'),
      )
      .optional(),
    rules: z.array(ruleSchema, expecting('a list of rules')),
    default: defaultOutcomeSchema.optional(),
  },
  expecting('a YAML mapping with at least version and rules'),
);

/** A validated policy file. Lists written as a single string are already lists here, and every group is a PolicyGroup. */
export type PolicyDocument = z.output<typeof policySchema>;
export type PolicyRule = z.output<typeof ruleSchema>;
export type PolicyMatch = z.output<typeof matchSchema>;
export type ParamMatcher = z.output<typeof paramMatcherSchema>;
export type GrantsMatcher = z.output<typeof grantsMatcherSchema>;
export type AnnotationsMatcher = z.output<typeof annotationsMatcherSchema>;
export type ReviewSpec = z.output<typeof reviewSchema>;
export type EscalationSpec = z.output<typeof escalationSchema>;
export type StepUpSpec = z.output<typeof stepUpSchema>;
export type RolesSpec = z.output<typeof rolesSchema>;
export type DefaultOutcome = z.output<typeof defaultOutcomeSchema>;
export type IdentityChannels = z.output<typeof identityChannelsSchema>;

/** A policy file parsed and checked, with the hash that decisions record. */
export interface LoadedPolicy {
  document: PolicyDocument;
  /** `sha256:<hex>` of the file bytes. */
  hash: string;
  /** Where it came from (a path, or the name given to parsePolicy). */
  source: string;
}
