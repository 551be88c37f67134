/** The Airlock API client for agents (docs/client.md): Node's fetch and nothing else. */
export { AirlockClient, type AirlockClientOptions } from './airlock-client';
export { AirlockApiError, type ApiIssue } from './errors';
export { isTerminal, TERMINAL_STATUSES } from './status';
export type {
  ActionPreview,
  ActionPreviewFacts,
  ActionRequest,
  ActionReview,
  ActionStatus,
  ActionView,
  CatalogueEntry,
  ExecutionResult,
  Failure,
  JsonObject,
  JsonValue,
  Notification,
  ToolAnnotations,
  ToolResult,
  Vote,
} from './types';
