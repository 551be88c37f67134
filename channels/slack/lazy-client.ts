import type { WebClient } from '@slack/web-api';
import { slackClientOptions, type SlackSettings } from './client-options';

/**
 * A Slack client, its library loaded on first use: `@slack/web-api` (axios and its own
 * dependencies) costs a worker several MiB of RSS at start, paid by every worker whether or not
 * its policy names a Slack channel. The worker's Slack activities take their client from here.
 */
export async function loadSlackClient(settings: SlackSettings): Promise<WebClient> {
  const { LogLevel, WebClient: Client } = await import('@slack/web-api');
  return new Client(settings.botToken, slackClientOptions(settings, LogLevel.ERROR));
}
