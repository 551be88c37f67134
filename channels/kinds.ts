/**
 * The channel kinds Airlock has, and how a policy names a channel: `api`, or a kind and a target
 * (`slack:#data-approvals`, `teams:19:…@thread.tacv2`, `email:reviewers@example.com`). Policy
 * loading refuses any other kind, and the workflow's notifier dispatches on the same list. Pure,
 * importing only the pure address check: it is bundled into the workflow sandbox as well as loaded
 * by the API and the worker.
 */
import { emailAddressProblem } from './email/address';

/**
 * Every kind a policy may name. `api` is the HTTP API itself: the request is listed and decided
 * there, so nothing is delivered to it.
 */
export const CHANNEL_KINDS = ['api', 'slack', 'teams', 'email'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/**
 * The kinds that post a review message, keep it up to date and reply to it with notices. A kind
 * added here makes the compiler ask for its entries in channels/outbound-registry.ts,
 * channels/inbound-registry.ts and the messengers of workflows/notifier.ts. (An email cannot be
 * edited: its messenger sends one outcome email instead of updates, and it has no inbound side.)
 */
export const MESSAGING_KINDS = ['slack', 'teams', 'email'] as const satisfies readonly ChannelKind[];
export type MessagingKind = (typeof MESSAGING_KINDS)[number];

/** What follows the colon, for each messaging kind: shown in the load error of a bad channel. */
const TARGET_NAMES: Readonly<Record<MessagingKind, string>> = { slack: 'channel', teams: 'conversation', email: 'address' };

/**
 * What each messaging kind requires of its target beyond not starting with a space: why a target
 * is refused, or undefined. Slack and Teams check theirs when posting; an email address goes into
 * headers and the SMTP envelope, so it is checked here, at policy load.
 */
const TARGET_PROBLEMS: Readonly<Record<MessagingKind, (target: string) => string | undefined>> = {
  slack: () => undefined,
  teams: () => undefined,
  email: emailAddressProblem,
};

/** A policy channel string, split at its first colon. */
export interface ChannelName {
  kind: string;
  /** Everything after the first colon (a Teams conversation id has colons of its own); '' for `api`. */
  target: string;
}

/** `slack:#data-approvals` → `{ kind: 'slack', target: '#data-approvals' }`; `api` → `{ kind: 'api', target: '' }`. */
export function splitChannel(channel: string): ChannelName {
  const colon = channel.indexOf(':');
  return colon < 0 ? { kind: channel, target: '' } : { kind: channel.slice(0, colon), target: channel.slice(colon + 1) };
}

/** Whether `kind` is one Airlock can deliver to. */
export function isChannelKind(kind: string): kind is ChannelKind {
  return (CHANNEL_KINDS as readonly string[]).includes(kind);
}

/** Whether `kind` posts review messages. */
export function isMessagingKind(kind: string): kind is MessagingKind {
  return (MESSAGING_KINDS as readonly string[]).includes(kind);
}

/** The forms a policy may write, for error messages: `api, slack:<channel>, teams:<conversation> or email:<address>`. */
export function channelForms(): string {
  const forms = ['api', ...MESSAGING_KINDS.map((kind) => `${kind}:<${TARGET_NAMES[kind]}>`)];
  return `${forms.slice(0, -1).join(', ')} or ${forms[forms.length - 1] ?? ''}`;
}

/** Why a policy cannot name `channel`, or `undefined` when it can. */
export function channelProblem(channel: string): string | undefined {
  const { kind, target } = splitChannel(channel);
  if (channel === 'api') return undefined;
  if (isMessagingKind(kind) && /^\S/.test(target)) {
    const problem = TARGET_PROBLEMS[kind](target);
    return problem === undefined ? undefined : `${kind}:<${TARGET_NAMES[kind]}>: ${problem}`;
  }
  const hasKind = channel.includes(':') && kind !== '';
  if (hasKind && !isChannelKind(kind)) return `unknown channel kind "${kind}": use ${channelForms()}`;
  return `must be ${channelForms()}`;
}
