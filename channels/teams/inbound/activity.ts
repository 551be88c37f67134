import { z } from 'zod';
import { TEAMS_REASON_INPUT, TEAMS_VERBS, type TeamsVerb } from '../card';
import { ACTION_ID_PATTERN } from '../../../domain/action-id';

/** The fields of a Bot Framework activity the endpoint reads; the rest is passed over. */
const activitySchema = z.looseObject({
  type: z.string().max(100),
  id: z.string().min(1).max(500).optional(),
  name: z.string().max(200).optional(),
  channelId: z.string().max(100).optional(),
  serviceUrl: z.string().max(2048).optional(),
  from: z.looseObject({ id: z.string().max(500).optional(), aadObjectId: z.string().max(100).optional() }).optional(),
  value: z.unknown().optional(),
});

/** `value` of an `adaptiveCard/action` invoke: the `Action.Execute` clicked, its data merged with the card's inputs. */
const cardActionSchema = z.looseObject({
  action: z.looseObject({
    type: z.literal('Action.Execute'),
    verb: z.string().max(100),
    data: z.looseObject({
      // Only an action id can name a workflow: anything else would reach Temporal as a workflow id.
      actionId: z.string().regex(ACTION_ID_PATTERN),
      [TEAMS_REASON_INPUT]: z.string().max(10_000).optional(),
    }),
  }),
  trigger: z.string().max(50).optional(),
});

export type BotActivity = z.infer<typeof activitySchema>;

/** One click (or automatic refresh) on an Airlock card, as the endpoint acts on it. */
export interface CardAction {
  verb: TeamsVerb;
  actionId: string;
  /** The reason box's text, as typed (not trimmed). */
  reason: string;
  /** The invoke activity's id: a retried delivery carries the same one. */
  activityId: string;
  aadObjectId: string | undefined;
}

const VERBS = new Set<string>(Object.values(TEAMS_VERBS));

/** The activity's envelope; a body that is not one is `undefined`. */
export function parseActivity(body: unknown): BotActivity | undefined {
  const parsed = activitySchema.safeParse(body);
  return parsed.success ? parsed.data : undefined;
}

/** The card action an `adaptiveCard/action` invoke carries, or the problem with it. */
export function parseCardAction(activity: BotActivity): { ok: true; action: CardAction } | { ok: false; problem: string } {
  if (!activity.id) return { ok: false, problem: 'the activity has no id' };
  const parsed = cardActionSchema.safeParse(activity.value);
  if (!parsed.success) return { ok: false, problem: 'the invoke value is not an Airlock card action' };
  const { verb, data } = parsed.data.action;
  if (!VERBS.has(verb)) return { ok: false, problem: `unknown verb ${JSON.stringify(verb.slice(0, 100))}` };
  return {
    ok: true,
    action: {
      verb: verb as TeamsVerb, // checked against VERBS just above
      actionId: data.actionId,
      reason: data[TEAMS_REASON_INPUT] ?? '',
      activityId: activity.id,
      aadObjectId: activity.from?.aadObjectId,
    },
  };
}
