import { LogLevel, WebClient } from '@slack/web-api';
import { slackClientOptions, type SlackSettings } from './client-options';

export type { SlackSettings } from './client-options';

/**
 * A Slack WebClient as Airlock configures it (client-options.ts). The API's interactions handler
 * and the tests use this one; the worker's activities load theirs on first use (lazy-client.ts).
 */
export function slackClient(settings: SlackSettings): WebClient {
  return new WebClient(settings.botToken, slackClientOptions(settings, LogLevel.ERROR));
}
