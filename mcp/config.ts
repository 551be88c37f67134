import { z } from 'zod';
import { ConfigError } from '../config/load';
import { DEFAULT_CALL_WAIT_SECONDS, MAX_WAIT_SECONDS } from './wait';

// The MCP server only talks to the Airlock API, so it reads a few settings of its own rather
// than the worker's and API's schema (no Temporal, policy or principals settings apply here).

const apiUrl = z.url({ protocol: /^https?$/, error: 'must be the http(s) URL of the Airlock API, e.g. http://127.0.0.1:8080' });

/** How long a gateway tool call waits for its outcome before answering that it is still pending. */
const callWaitSeconds = z.coerce.number().int().min(0).max(MAX_WAIT_SECONDS).default(DEFAULT_CALL_WAIT_SECONDS);

const KEY_REQUIRED = 'required: the Airlock API key of the agent, whose principal every tool call acts as';

/** `npm run mcp:stdio`: one agent, one key, given by whoever starts the process. */
export const stdioConfigSchema = z.object({
  AIRLOCK_URL: apiUrl,
  /** The agent's own Airlock API key; every tool call acts as its principal. */
  AIRLOCK_API_KEY: z.string({ error: KEY_REQUIRED }).trim().min(1, KEY_REQUIRED),
  AIRLOCK_MCP_CALL_WAIT_SECONDS: callWaitSeconds,
});
export type StdioConfig = z.infer<typeof stdioConfigSchema>;

/** `npm run mcp:http`: many agents, each sending its own key on every request. */
export const httpConfigSchema = z.object({
  AIRLOCK_URL: apiUrl,
  AIRLOCK_MCP_HOST: z.string().min(1).default('127.0.0.1'),
  AIRLOCK_MCP_PORT: z.coerce.number().int().min(0).max(65535).default(8090),
  AIRLOCK_MCP_CALL_WAIT_SECONDS: callWaitSeconds,
  /** Browser origins allowed to call; requests with any other Origin header are refused (DNS rebinding). */
  AIRLOCK_MCP_ALLOWED_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? '')
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    ),
});
export type HttpConfig = z.infer<typeof httpConfigSchema>;

/** Parses the environment once; throws ConfigError naming each bad variable, never echoing its value. */
export function parseMcpConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}
