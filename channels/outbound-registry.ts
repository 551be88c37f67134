import type { LoadedPolicy } from '../policy';
import { createCallbackActivities, type CallbackSettings } from './callback/outbound/activities';
import { createEmailActivities } from './email/outbound/activities';
import type { EmailSettings } from './email/settings';
import type { MessagingKind } from './kinds';
import type { MessageLinks } from './review-message';
import type { SlackSettings } from './slack/client-options';
import { createSlackActivities } from './slack/outbound/activities';
import { createTeamsActivities } from './teams/outbound/activities';
import type { TeamsSettings } from './teams/outbound/connector';

/** What the worker gives the channels' outbound side; each channel takes the part it needs. */
export interface OutboundDeps {
  /** The current policy: notices mention people by the channel ids it maps identities to. */
  policy: () => LoadedPolicy;
  /** For the Temporal UI link in channel messages, and the console link in emails. */
  links: MessageLinks;
  /** Unset: Slack is not configured, and a policy naming a Slack channel records a failed delivery. */
  slack?: SlackSettings;
  /** Unset: Teams is not configured, and a policy naming a Teams conversation records a failed delivery. */
  teams?: TeamsSettings;
  /** Unset: no SMTP server is configured, and a policy naming an email address records a failed delivery. */
  email?: EmailSettings;
  /** The requester's callback: its secret and the hosts it may reach. */
  callbacks: CallbackSettings;
}

/**
 * Each channel's activities, by channel: every messaging kind (the compiler checks against
 * channels/kinds.ts) and the requester callback. The activity names are in recorded histories:
 * they never change.
 */
export const OUTBOUND_CHANNELS = {
  slack: (deps: OutboundDeps) => createSlackActivities({ ...(deps.slack ? { slack: deps.slack } : {}), links: deps.links, policy: deps.policy }),
  teams: (deps: OutboundDeps) => createTeamsActivities({ ...(deps.teams ? { teams: deps.teams } : {}), links: deps.links, policy: deps.policy }),
  email: (deps: OutboundDeps) => createEmailActivities({ ...(deps.email ? { email: deps.email } : {}), links: deps.links }),
  callback: (deps: OutboundDeps) => createCallbackActivities(deps.callbacks),
} satisfies Record<MessagingKind | 'callback', (deps: OutboundDeps) => object>;

type OutboundEntry = (typeof OUTBOUND_CHANNELS)[keyof typeof OUTBOUND_CHANNELS];
/** `A | B` → `A & B`: every entry's activities in one object type, as `proxyActivities` needs them. */
type Merged<U> = (U extends unknown ? (all: U) => void : never) extends (all: infer I) => void ? I : never;

/** The activities of every channel, as one object the worker registers. */
export type ChannelActivities = Merged<ReturnType<OutboundEntry>>;

/** Builds every registered channel's activities; two channels may never register the same activity name. */
export function createChannelActivities(deps: OutboundDeps): ChannelActivities {
  const activities: Record<string, unknown> = {};
  for (const [channel, create] of Object.entries(OUTBOUND_CHANNELS)) {
    for (const [name, activity] of Object.entries(create(deps))) {
      if (Object.hasOwn(activities, name)) throw new Error(`activity ${name} of channel ${channel} is already registered by another channel`);
      activities[name] = activity;
    }
  }
  // The loop adds every entry's activities under their own names, which is what the type says;
  // tsc cannot follow a type built up by a loop.
  return activities as ChannelActivities;
}
