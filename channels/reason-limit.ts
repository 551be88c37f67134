/**
 * The longest reason a reviewer may give with a chat decision, in every chat channel: Slack's
 * reject dialog enforces it as it is typed, and the Slack and Teams handlers refuse anything longer.
 */
export const REJECT_REASON_MAX_CHARS = 2000;
