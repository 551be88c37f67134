import { z } from 'zod';
import { parseDuration } from '../policy/duration';
import { DEFAULT_CACHE_BUDGET_MIB, DEFAULT_STICKY_TIMEOUT } from '../workers/worker-sizing';
import { parseCallbackTarget } from './callback-targets';
import { emailAddressProblem } from '../channels/email/address';
import { consoleBaseUrl } from './console-url';
import { DEFAULT_WORKFLOW_TASK_TIMEOUT } from '../workflows/messages';
import { smtpUrlProblem } from './smtp-url';

const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = z.url().optional();
/** A comma-separated list, entries trimmed, empty ones dropped; unset is the empty list. */
const commaList = z
  .string()
  .default('')
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  );

/** A duration written as the policy file writes them (`500ms`, `2s`, `1m`), as milliseconds within `[min, max]`. */
function durationMs(defaultValue: string, bounds: { min: string; max: string }) {
  const [min, max] = [parseDuration(bounds.min), parseDuration(bounds.max)];
  return z
    .string()
    .default(defaultValue)
    .transform((text, ctx) => {
      try {
        const ms = parseDuration(text);
        if (ms >= min && ms <= max) return ms;
        ctx.addIssue({ code: 'custom', message: `must be from ${bounds.min} to ${bounds.max}, got ${JSON.stringify(text)}` });
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
      return z.NEVER;
    });
}

type TemporalTlsSettings = {
  AIRLOCK_TEMPORAL_TLS?: boolean | undefined;
  AIRLOCK_TEMPORAL_TLS_CERT_FILE?: string | undefined;
  AIRLOCK_TEMPORAL_TLS_KEY_FILE?: string | undefined;
  AIRLOCK_TEMPORAL_TLS_CA_FILE?: string | undefined;
  AIRLOCK_TEMPORAL_TLS_SERVER_NAME?: string | undefined;
};

/** A half mTLS pair, or TLS files with TLS turned off, would fail later at connect with a vaguer error. */
function checkTemporalTls(config: TemporalTlsSettings, ctx: z.RefinementCtx): void {
  const cert = config.AIRLOCK_TEMPORAL_TLS_CERT_FILE;
  const key = config.AIRLOCK_TEMPORAL_TLS_KEY_FILE;
  if (cert && !key) {
    ctx.addIssue({ code: 'custom', path: ['AIRLOCK_TEMPORAL_TLS_KEY_FILE'], message: 'required with AIRLOCK_TEMPORAL_TLS_CERT_FILE (mTLS needs both)' });
  }
  if (key && !cert) {
    ctx.addIssue({ code: 'custom', path: ['AIRLOCK_TEMPORAL_TLS_CERT_FILE'], message: 'required with AIRLOCK_TEMPORAL_TLS_KEY_FILE (mTLS needs both)' });
  }
  if (config.AIRLOCK_TEMPORAL_TLS === false) {
    const tlsOnly = (
      ['AIRLOCK_TEMPORAL_TLS_CERT_FILE', 'AIRLOCK_TEMPORAL_TLS_KEY_FILE', 'AIRLOCK_TEMPORAL_TLS_CA_FILE', 'AIRLOCK_TEMPORAL_TLS_SERVER_NAME'] as const
    ).filter((name) => config[name]);
    if (tlsOnly.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['AIRLOCK_TEMPORAL_TLS'], message: `is false, but ${tlsOnly.join(', ')} only apply with TLS` });
    }
  }
}

/**
 * Every setting Airlock reads from the environment, in one schema. Parsed once at start;
 * a bad value stops the process naming the variable.
 */
export const configSchema = z
  .object({
    AIRLOCK_TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
    AIRLOCK_TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
    AIRLOCK_TASK_QUEUE: z.string().min(1).default('airlock'),
    // Temporal connection security (config/temporal-connection.ts turns these into SDK options).
    /** Temporal Cloud API key, sent as a bearer token; implies TLS unless AIRLOCK_TEMPORAL_TLS=false. */
    AIRLOCK_TEMPORAL_API_KEY: z.string().min(1).optional(),
    /** TLS to the frontend; unset means on when an API key or a client certificate is set, else off. */
    AIRLOCK_TEMPORAL_TLS: z.stringbool().optional(),
    /** mTLS client certificate and its private key (PEM files): both or neither. */
    AIRLOCK_TEMPORAL_TLS_CERT_FILE: z.string().min(1).optional(),
    AIRLOCK_TEMPORAL_TLS_KEY_FILE: z.string().min(1).optional(),
    /** CA bundle (PEM) for a server certificate the OS does not trust; not needed for Temporal Cloud. */
    AIRLOCK_TEMPORAL_TLS_CA_FILE: z.string().min(1).optional(),
    /** Name checked against the server certificate (SNI), when it differs from the address's host. */
    AIRLOCK_TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional(),
    /** Base URL of the Temporal Web UI, for links in API responses. */
    AIRLOCK_TEMPORAL_UI_URL: optionalUrl,
    AIRLOCK_API_HOST: z.string().min(1).default('127.0.0.1'),
    AIRLOCK_API_PORT: port.default(8080),
    /** Largest accepted request body, bytes. */
    AIRLOCK_API_BODY_LIMIT: z.coerce
      .number()
      .int()
      .min(1024)
      .default(64 * 1024),
    /** Requests a minute each API principal may make (without a valid key: each client IP); over it, 429. */
    AIRLOCK_API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Requests a minute each client IP may make to POST /slack/interactions; over it, 429. */
    AIRLOCK_SLACK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** Requests a minute each client IP may make to POST /teams/messages, counted before the token check; over it, 429. */
    AIRLOCK_TEAMS_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
    /** How long a new request waits for the policy decision before the API answers `evaluating`. */
    AIRLOCK_API_ADMISSION_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    /**
     * How long a worker may hold one of an action's workflow tasks before Temporal gives the task to
     * another worker; set on each new action. A task lost with a worker that died holding it waits
     * this long. Temporal allows up to 120s; below 1s a busy worker would lose tasks it is running.
     */
    AIRLOCK_WORKFLOW_TASK_TIMEOUT: durationMs(DEFAULT_WORKFLOW_TASK_TIMEOUT, { min: '1s', max: '120s' }),
    AIRLOCK_POLICY_FILE: z.string().min(1).default('config/example-policy.yaml'),
    /** YAML list of API principals with sha256 key hashes (see docs/api.md). */
    AIRLOCK_PRINCIPALS_FILE: z.string().min(1).default('.airlock/principals.yaml'),
    AIRLOCK_AWS_REGION: z.string().min(1).default('us-east-1'),
    AIRLOCK_AWS_PARTITION: z.enum(['aws', 'aws-us-gov', 'aws-cn']).default('aws'),
    /** Custom AWS endpoint (moto, MinIO, LocalStack); unset for real AWS. */
    AIRLOCK_AWS_ENDPOINT: optionalUrl,
    /** The role the executor assumes, always narrowed by a per-operation session policy. */
    AIRLOCK_EXECUTOR_ROLE_ARN: z
      .string()
      .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/, 'must be an IAM role ARN')
      .optional(),
    /** Slack bot token (xoxb-…) for posting review requests; unset disables Slack. */
    AIRLOCK_SLACK_BOT_TOKEN: z.string().min(1).optional(),
    /** Verifies POST /slack/interactions; required for Slack buttons to work. */
    AIRLOCK_SLACK_SIGNING_SECRET: z.string().min(1).optional(),
    /** Web API base URL; tests point it at a local double. */
    AIRLOCK_SLACK_API_URL: z.url().optional(),
    // Microsoft Teams bot (docs/teams.md). Unset app id: Teams is off.
    /** The bot's Microsoft App ID (its Azure registration's client id). */
    AIRLOCK_TEAMS_APP_ID: z.string().min(1).optional(),
    /** The bot's client secret. */
    AIRLOCK_TEAMS_APP_PASSWORD: z.string().min(1).optional(),
    /** Bot Connector base URL the worker posts cards to (from an activity's `serviceUrl`); tests point it at a local double. */
    AIRLOCK_TEAMS_SERVICE_URL: z.url().default('https://smba.trafficmanager.net/teams/'),
    /** OAuth2 token endpoint for the bot's token; unset for the multi-tenant Bot Framework one. */
    AIRLOCK_TEAMS_TOKEN_URL: z.url().optional(),
    /**
     * Where POST /teams/messages reads the keys Bot Framework signs with; unset: the `jwks_uri` of Bot
     * Framework's OpenID metadata. Tests only: in production, any other URL lets its owner act as Teams.
     */
    AIRLOCK_TEAMS_JWKS_URL: z.url().optional(),
    // Email review channel (docs/email.md). Unset SMTP URL: email channels record a failed delivery.
    /** The SMTP server the worker sends review emails through: smtp(s)://[user:password@]host[:port]. Never logged. */
    AIRLOCK_SMTP_URL: z
      .string()
      .superRefine((raw, ctx) => {
        const problem = smtpUrlProblem(raw);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /** The sender of review emails: one plain address, e.g. airlock@example.com; required with AIRLOCK_SMTP_URL. */
    AIRLOCK_EMAIL_FROM: z
      .string()
      .superRefine((raw, ctx) => {
        const problem = emailAddressProblem(raw);
        if (problem) ctx.addIssue({ code: 'custom', message: problem });
      })
      .optional(),
    /**
     * The public base URL browsers reach the API and its console at (https, or http on loopback), e.g.
     * https://airlock.example.com: review emails link to <it>/console/actions/<id>. Unset: they name the API route.
     */
    AIRLOCK_CONSOLE_URL: z
      .string()
      .transform((raw, ctx) => {
        const checked = consoleBaseUrl(raw);
        if ('url' in checked) return checked.url;
        ctx.addIssue({ code: 'custom', message: checked.problem });
        return z.NEVER;
      })
      .optional(),
    /** HMAC key for the `Airlock-Signature` header on requester callbacks. */
    AIRLOCK_CALLBACK_SECRET: z.string().min(16).optional(),
    /**
     * Modules with operations of your own, comma-separated: paths (relative to the working
     * directory) or package names. The worker and the API load and check them at start
     * (operations/user-operations.ts, docs/operations.md#your-own-operations); set the same on both.
     */
    AIRLOCK_OPERATIONS: commaList,
    /**
     * The MCP gateway's config (docs/mcp.md#the-gateway-airlock-in-front-of-your-mcp-servers): the MCP servers whose tools Airlock offers
     * as `mcp.<server>.<tool>` actions. Unset: no gateway. Set the same on the worker and the API.
     */
    AIRLOCK_GATEWAY_FILE: z.string().min(1).optional(),
    /**
     * Comma-separated `host:port` or `scheme://host:port` entries that callback URLs may point at
     * (SSRF guard); a bare `host` allows only its scheme's default port (443; 80 for loopback http).
     * Empty disables callbacks. Format: config/callback-targets.ts.
     */
    AIRLOCK_CALLBACK_ALLOWED_HOSTS: commaList.superRefine((entries, ctx) => {
      for (const entry of entries) {
        const parsed = parseCallbackTarget(entry);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
      }
    }),
    /**
     * Where the audit trail is kept: `sqlite:<file>` (embedded, the default) or
     * `postgres://user:password@host:port/database` (production). Worker and API must share it.
     */
    AIRLOCK_AUDIT_URL: z
      .string()
      .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<file> or postgres://…')
      .default('sqlite:.airlock/audit.db'),
    AIRLOCK_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
    // Metrics (docs/operators.md#metrics). The API serves /metrics on its own port.
    /** The worker's /metrics (Airlock's series and the Temporal SDK's); 0 turns worker metrics off. */
    AIRLOCK_WORKER_METRICS_PORT: port.default(9464),
    AIRLOCK_WORKER_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    /** When set, both /metrics endpoints require `Authorization: Bearer <token>`. */
    AIRLOCK_METRICS_TOKEN: z.string().min(16).optional(),
    // Tracing (docs/operators.md#tracing), the standard OpenTelemetry variables. Unset: no spans, no cost.
    /** An OTLP/HTTP collector; traces go to `<endpoint>/v1/traces`. */
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
    /** The traces URL itself, when it is not `<endpoint>/v1/traces`. */
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
    /** The service the spans name; `airlock-api` or `airlock-worker` by default. */
    OTEL_SERVICE_NAME: z.string().min(1).optional(),
    // Payload encryption (docs/operators.md). Unset: payloads are plain JSON in Temporal.
    /** `<id>:<base64 32-byte key>[,…]`: the first key encrypts, all decrypt (rotation). Worker and API must share it. */
    AIRLOCK_CODEC_KEYS: z.string().min(1).optional(),
    /** A file holding the same list (one entry per line), e.g. a Docker or Kubernetes secret. */
    AIRLOCK_CODEC_KEYS_FILE: z.string().min(1).optional(),
    /** Comma-separated browser origins (the Temporal UI's) allowed to call /codec/* with credentials. */
    AIRLOCK_CODEC_CORS_ORIGINS: z
      .string()
      .default('')
      .transform((value) =>
        value
          .split(',')
          .map((origin) => origin.trim().replace(/\/$/, ''))
          .filter(Boolean),
      ),
    /** HMAC key for codec login sessions; set the same on every API replica (default: random per process). */
    AIRLOCK_CODEC_SESSION_SECRET: z.string().min(32).optional(),
    // The web console (docs/console.md): enabled when an OIDC issuer and client id are set.
    /** The OpenID provider people sign in at; its discovery document names everything else. */
    AIRLOCK_CONSOLE_OIDC_ISSUER: z.string().min(1).optional(),
    AIRLOCK_CONSOLE_OIDC_CLIENT_ID: z.string().min(1).optional(),
    /** Unset: a public client (PKCE only); set: a confidential one (client_secret_basic). */
    AIRLOCK_CONSOLE_OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    /** Space-separated scopes asked for at sign-in. */
    AIRLOCK_CONSOLE_OIDC_SCOPES: z.string().default('openid email groups'),
    /** The id token claim that names the person: `email` maps through the policy's identities, any other is the identity id. */
    AIRLOCK_CONSOLE_IDENTITY_CLAIM: z.string().min(1).default('email'),
    /** The id token claim listing the person's IdP groups (policy groups may name them). */
    AIRLOCK_CONSOLE_GROUPS_CLAIM: z.string().min(1).default('groups'),
    /** Key for the console's session cookies; set the same on every API replica (default: random per process). */
    AIRLOCK_CONSOLE_SESSION_SECRET: z.string().min(32).optional(),
    /** How long a console sign-in lasts, whatever happens. */
    AIRLOCK_CONSOLE_SESSION_TTL: durationMs('8h', { min: '5m', max: '24h' }),
    // Signed identities (docs/architecture.md#trust-boundary). The API signs; workers verify.
    /** The API's Ed25519 signing key, `<id>:<base64 32-byte seed>`; the API only, never a worker. */
    AIRLOCK_IDENTITY_SIGNING_KEY: z.string().min(1).optional(),
    AIRLOCK_IDENTITY_SIGNING_KEY_FILE: z.string().min(1).optional(),
    /** Public keys workers accept identities from, `<id>:<base64 32-byte key>[,…]` (several during a rotation). */
    AIRLOCK_IDENTITY_VERIFY_KEYS: z.string().min(1).optional(),
    AIRLOCK_IDENTITY_VERIFY_KEYS_FILE: z.string().min(1).optional(),
    /** Public keys no longer trusted for new input, kept to verify what they signed (audit:verify). */
    AIRLOCK_IDENTITY_RETIRED_KEYS: z.string().min(1).optional(),
    AIRLOCK_IDENTITY_RETIRED_KEYS_FILE: z.string().min(1).optional(),
    // Worker sizing (docs/deployment.md#scaling, workers/worker-sizing.ts).
    /** Memory for the worker's workflow cache (sticky execution), MiB; sizes the cache unless the next is set. */
    AIRLOCK_WORKER_CACHE_MIB: z.coerce.number().int().min(1).default(DEFAULT_CACHE_BUDGET_MIB),
    /** Workflows the worker keeps cached, whatever AIRLOCK_WORKER_CACHE_MIB says; 0 disables the cache. */
    AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(0).optional(),
    /**
     * How long a workflow task waits for the worker that cached the workflow before any worker takes
     * it: after a worker crash, the next vote on each action it cached waits this long. A worker too
     * busy to poll within it loses the task to a replay, so not below 100ms; not above 60s either.
     */
    AIRLOCK_WORKER_STICKY_TIMEOUT: durationMs(DEFAULT_STICKY_TIMEOUT, { min: '100ms', max: '60s' }),
    /**
     * How long the API and the worker keep trying to reach Temporal at start before they exit: a
     * process started beside Temporal (compose, Kubernetes, a cluster coming up) waits for it.
     */
    AIRLOCK_TEMPORAL_CONNECT_TIMEOUT: durationMs('60s', { min: '1s', max: '1h' }),
  })
  .superRefine(checkTemporalTls);

export type AirlockConfig = z.infer<typeof configSchema>;
