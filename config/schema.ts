import { z } from 'zod';

const port = z.coerce.number().int().min(0).max(65535);
const optionalUrl = z.url().optional();

/**
 * Every setting Airlock reads from the environment, in one schema. Parsed once at start;
 * a bad value stops the process naming the variable.
 */
export const configSchema = z.object({
  AIRLOCK_TEMPORAL_ADDRESS: z.string().min(1).default('127.0.0.1:7233'),
  AIRLOCK_TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  AIRLOCK_TASK_QUEUE: z.string().min(1).default('airlock'),
  /** Base URL of the Temporal Web UI, for links in API responses. */
  AIRLOCK_TEMPORAL_UI_URL: optionalUrl,
  AIRLOCK_API_HOST: z.string().min(1).default('127.0.0.1'),
  AIRLOCK_API_PORT: port.default(8080),
  /** Largest accepted request body, bytes. */
  AIRLOCK_API_BODY_LIMIT: z.coerce.number().int().min(1024).default(64 * 1024),
  /** Requests a minute each API principal may make (without a valid key: each client IP); over it, 429. */
  AIRLOCK_API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** Requests a minute each client IP may make to POST /slack/interactions; over it, 429. */
  AIRLOCK_SLACK_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  /** How long a new request waits for the policy decision before the API answers `evaluating`. */
  AIRLOCK_API_ADMISSION_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
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
  /** HMAC key for the `Airlock-Signature` header on requester callbacks. */
  AIRLOCK_CALLBACK_SECRET: z.string().min(16).optional(),
  /** Comma-separated hosts that callback URLs may point at (SSRF guard); empty disables callbacks. */
  AIRLOCK_CALLBACK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((host) => host.trim().toLowerCase()).filter(Boolean)),
  /**
   * Where the audit trail is kept: `sqlite:<file>` (embedded, the default) or
   * `postgres://user:password@host:port/database` (production). Worker and API must share it.
   */
  AIRLOCK_AUDIT_URL: z
    .string()
    .regex(/^(sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be sqlite:<file> or postgres://…')
    .default('sqlite:.airlock/audit.db'),
  AIRLOCK_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
});

export type AirlockConfig = z.infer<typeof configSchema>;
