import { z } from 'zod';
import { expecting } from '../../config/yaml-file';
import { durationSchema } from '../../policy/schema';
import { shown, type ConfigValue } from './secret';

/*
 * The MCP gateway config: the downstream MCP servers Airlock fronts, as zod sees the YAML file.
 * Every object is strict, so a misspelt key is an error rather than a setting silently ignored.
 * Secrets (`fromEnv`, `fromFile`) are references here; load.ts resolves them.
 */

/** Server names appear in tool names (`mcp.<server>.<tool>`) and policy rules: no dots, no wildcards. */
export const SERVER_NAME_PATTERN = /^[a-z][a-z0-9-]{0,31}$/;
/** MCP's tool name charset (SEP-986): a name outside it is not offered through the gateway. */
export const TOOL_NAME_PATTERN = /^[A-Za-z0-9_.-]{1,128}$/;
const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Headers the Streamable HTTP transport sets itself; a config value would break the session. */
const TRANSPORT_HEADERS = ['accept', 'content-type', 'content-length', 'host', 'mcp-session-id', 'mcp-protocol-version', 'last-event-id'];

/** How long one request to a downstream server may take when the config does not say (the MCP SDK's default). */
export const DEFAULT_TIMEOUT = '60s';

const ENV_NAME_MESSAGE = 'must be an environment variable name: letters, digits and _, not starting with a digit';

const secretRefSchema = z.union([
  z.strictObject({ fromEnv: z.string().regex(ENV_NAME_PATTERN, ENV_NAME_MESSAGE) }),
  z.strictObject({ fromFile: z.string().min(1, 'must be a file path') }),
]);
/** A value in the file, or where to find it: `{ fromEnv: NAME }` or `{ fromFile: /path }`. */
const valueSchema = z.union([z.string(), secretRefSchema], {
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined;
    if (issue.input === undefined) return 'required';
    if (typeof issue.input === 'object' && issue.input !== null && !Array.isArray(issue.input)) {
      // Keys only: a value here may be a secret pasted into the wrong place.
      const keys = Object.keys(issue.input);
      return `must be { fromEnv: VARIABLE } or { fromFile: /path/to/file }, one key (found ${keys.length === 0 ? 'none' : keys.join(', ')})`;
    }
    return 'must be a string (quote numbers and booleans), { fromEnv: VARIABLE } or { fromFile: /path/to/file }';
  },
});
export type ValueSpec = z.output<typeof valueSchema>;

const envSchema = z.record(z.string().regex(ENV_NAME_PATTERN, ENV_NAME_MESSAGE), valueSchema, expecting('a mapping of environment variable names to values'));

const headersSchema = z.record(
  z
    .string()
    .regex(HEADER_NAME_PATTERN, 'must be an HTTP header name')
    .refine((name) => !TRANSPORT_HEADERS.includes(name.toLowerCase()), 'is set by the MCP transport itself'),
  valueSchema,
  expecting('a mapping of HTTP header names to values'),
);

/** An IAM action, written out: no wildcard (least privilege), never from an argument. */
const IAM_ACTION_PATTERN = /^[a-z0-9-]+:[A-Za-z0-9]+$/;

/**
 * One Allow statement of a tool's session policy. Resources may name arguments as `{path}` (dotted
 * for nested ones); templates.ts checks and fills them, refusing values that could widen the grant.
 */
const statementTemplateSchema = z.strictObject(
  {
    actions: z
      .array(z.string().regex(IAM_ACTION_PATTERN, 'must be an IAM action such as s3:GetObject, written out (no wildcard)'), expecting('a list of IAM actions'))
      .min(1, 'must name at least one action'),
    resources: z.array(z.string().min(1, 'must not be empty'), expecting('a list of ARN templates')).min(1, 'must name at least one resource'),
  },
  expecting('a mapping with actions and resources'),
);

/** Per tool settings: whether a call may be repeated, what is redacted, hints in place of the server's. */
const toolSettingsSchema = z.strictObject(
  {
    /**
     * With `credentials: aws-one-shot`: the statements of the session policy the server's process
     * gets for one call of this tool. A tool without them is not offered.
     */
    sessionPolicy: z
      .array(statementTemplateSchema, expecting('a list of statements (actions, resources)'))
      .min(1, 'must have at least one statement')
      .optional(),
    /** How long one call may take with its credentials, from their issue (default 60s). */
    runningTime: durationSchema.optional(),
    /** Whether calling the tool twice is harmless; defaults to the server's idempotentHint. */
    idempotent: z.boolean(expecting('true or false')).optional(),
    /** Argument names whose values the audit trail records as redacted. */
    redact: z.array(z.string().min(1), expecting('a list of argument names')).optional(),
    /** Hints to use in place of the server's, for policy rules on `annotations` (the server's are its own claims). */
    annotations: z
      .strictObject(
        {
          readOnlyHint: z.boolean(expecting('true or false')).optional(),
          destructiveHint: z.boolean(expecting('true or false')).optional(),
          idempotentHint: z.boolean(expecting('true or false')).optional(),
          openWorldHint: z.boolean(expecting('true or false')).optional(),
        },
        expecting('a mapping of readOnlyHint, destructiveHint, idempotentHint, openWorldHint to true or false'),
      )
      .optional(),
  },
  expecting('a mapping with sessionPolicy, runningTime, idempotent, redact and/or annotations'),
);

const toolsSchema = z.record(
  z.string().regex(TOOL_NAME_PATTERN, 'must be a tool name: 1-128 letters, digits and _.-'),
  toolSettingsSchema,
  expecting('a mapping of tool names to settings'),
);

const stdioServerSchema = z.strictObject({
  transport: z.literal('stdio'),
  /** An absolute path, or a name looked up on PATH. */
  command: z.string(expecting('a command')).min(1, 'must not be empty'),
  args: z.array(z.string(), expecting('a list of strings (quote numbers)')).optional(),
  env: envSchema.optional(),
  /** Relative to the config file's folder. */
  cwd: z.string(expecting('a folder')).min(1, 'must not be empty').optional(),
  timeout: durationSchema.optional(),
  /**
   * `aws-one-shot`: each approved call runs in a new process of the server whose environment holds
   * AWS credentials from AssumeRole, narrowed to the tool's `sessionPolicy` and its running time.
   * `none` (default): one long-lived process with the config's `env` only.
   */
  credentials: z.enum(['none', 'aws-one-shot'], expecting('none or aws-one-shot')).optional(),
  tools: toolsSchema.optional(),
});

const httpServerSchema = z.strictObject({
  transport: z.literal('http'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://127.0.0.1:3001/mcp' }),
  headers: headersSchema.optional(),
  timeout: durationSchema.optional(),
  tools: toolsSchema.optional(),
});

const serverSchema = z.discriminatedUnion('transport', [stdioServerSchema, httpServerSchema], {
  // zod reports a missing or unknown discriminator as a union issue on the server's mapping, at `transport`.
  error: (issue) => {
    if (issue.code !== 'invalid_union') return undefined;
    const transport = (issue.input as { transport?: unknown } | undefined)?.transport;
    return transport === undefined ? 'required: stdio or http' : 'must be stdio or http';
  },
});

export const gatewayFileSchema = z.strictObject(
  {
    version: z.literal(1, expecting('1')),
    servers: z.record(
      z.string().regex(SERVER_NAME_PATTERN, 'must be a server name: 1-32 lowercase letters, digits and -, starting with a letter'),
      serverSchema,
      expecting('a mapping of server names to servers'),
    ),
  },
  expecting('a YAML mapping with version and servers'),
);

/** The gateway file as written, secrets not yet resolved. */
export type GatewayFile = z.output<typeof gatewayFileSchema>;
export type ToolSettings = z.output<typeof toolSettingsSchema>;
export type StatementTemplate = z.output<typeof statementTemplateSchema>;

interface ServerBase {
  name: string;
  /** Milliseconds one request (initialize, tools/list, tools/call) may take. */
  timeoutMs: number;
  tools: Readonly<Record<string, ToolSettings>>;
}

/** A server Airlock starts as a child process and speaks to over stdin/stdout. */
export interface StdioServerConfig extends ServerBase {
  transport: 'stdio';
  /** `aws-one-shot`: a new process per approved call, with credentials for that call only. */
  credentials: 'none' | 'aws-one-shot';
  command: string;
  args: readonly string[];
  /** Set over a minimal environment (PATH, HOME, ...), never over the gateway's own. */
  env: Readonly<Record<string, ConfigValue>>;
  /** Absolute; the gateway's working directory when unset. */
  cwd?: string;
}

/** A server reached over MCP's Streamable HTTP transport. */
export interface HttpServerConfig extends ServerBase {
  transport: 'http';
  url: string;
  headers: Readonly<Record<string, ConfigValue>>;
}

export type ServerConfig = StdioServerConfig | HttpServerConfig;

/** A loaded gateway config: secrets resolved, and hidden from every way of printing it. */
export class GatewayConfig {
  constructor(
    /** The file it came from. */
    readonly source: string,
    readonly servers: readonly ServerConfig[],
  ) {}

  /** The config as logs may show it: every resolved secret is `[secret]`. */
  describe(): Record<string, unknown> {
    return {
      source: this.source,
      servers: Object.fromEntries(
        this.servers.map((server) => {
          const { name, ...rest } = server;
          const view = rest.transport === 'stdio' ? { ...rest, env: showAll(rest.env) } : { ...rest, headers: showAll(rest.headers) };
          return [name, view];
        }),
      ),
    };
  }

  /** JSON.stringify shows what describe() shows. */
  toJSON(): Record<string, unknown> {
    return this.describe();
  }

  /** The server of that name, if configured. */
  server(name: string): ServerConfig | undefined {
    return this.servers.find((server) => server.name === name);
  }
}

function showAll(values: Readonly<Record<string, ConfigValue>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, shown(value)]));
}
