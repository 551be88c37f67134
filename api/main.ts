import { Client, Connection } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { openAuditLog } from '../audit/open-store';
import { loadConfig } from '../config/load';
import { loadPrincipalsFile } from '../config/principals-file';
import {
  loadIdentitySigningKey,
  loadIdentityVerifyKeys,
  loadRetiredIdentityKeys,
  type IdentityKeySettings,
  type IdentitySigningKey,
} from '../config/identity-keys';
import type { TrustedKey } from '../domain/identity-proof';
import { clientConnectionOptions, connectToTemporal } from '../config/temporal-connection';
import { slackClient } from '../channels/slack/client';
import { GatewayOperations } from '../mcp/gateway/gateway-operations';
import { catalogueWith } from '../operations/catalogue';
import { loadPolicyFile } from '../policy';
import { AesGcmCodec } from '../codec/aes-gcm-codec';
import { airlockDataConverter } from '../codec/data-converter';
import { loadKeyRing } from '../codec/keys';
import { apiMetricsFor } from './pending-actions';
import { IdentitySigner } from './identity-signer';
import { buildApi } from './server';
import { consoleSettingsFrom } from './console/settings';
import { startOtlpTracing, tracingSettings } from '../telemetry/tracing';

/** API entry point: validate config (fail fast), connect to Temporal, listen; drain on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  // First: the tracer provider must be registered before anything makes a span.
  const tracing = startOtlpTracing(tracingSettings(config, 'airlock-api'));
  // Before anything connects: an operation module that fails its checks stops the start, naming itself;
  // so does a gateway file with a mistake. Its servers are listed here only (the worker calls them).
  const gateway = config.AIRLOCK_GATEWAY_FILE ? await GatewayOperations.start(config.AIRLOCK_GATEWAY_FILE) : undefined;
  const catalogue = catalogueWith(config.AIRLOCK_OPERATIONS, gateway ? [gateway] : []);
  const { principals, tokenIssuers } = loadPrincipalsFile(config.AIRLOCK_PRINCIPALS_FILE);
  const signingKey = loadIdentitySigningKey(config);
  const policy = loadPolicyFile(config.AIRLOCK_POLICY_FILE); // maps Slack/Teams users to identities
  const audit = await openAuditLog(config.AIRLOCK_AUDIT_URL);
  const connection = await connectToTemporal(() => Connection.connect(clientConnectionOptions(config)), config);
  const codecKeys = loadKeyRing({ keys: config.AIRLOCK_CODEC_KEYS, keysFile: config.AIRLOCK_CODEC_KEYS_FILE });
  const dataConverter = airlockDataConverter(codecKeys);
  const client = new Client({
    connection,
    namespace: config.AIRLOCK_TEMPORAL_NAMESPACE,
    ...(dataConverter ? { dataConverter } : {}),
    // Workflow starts and Updates carry the request's span in their headers, to the workflow.
    ...(tracing ? { interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor({ tracer: tracing.tracer })] } } : {}),
  });
  const app = await buildApi({
    client,
    catalogue,
    principals,
    tokenIssuers,
    taskQueue: config.AIRLOCK_TASK_QUEUE,
    audit,
    identity: new IdentitySigner(signingKey),
    auditIdentityKeys: auditKeys(signingKey, config),
    temporalUiUrl: config.AIRLOCK_TEMPORAL_UI_URL,
    bodyLimit: config.AIRLOCK_API_BODY_LIMIT,
    rateLimits: {
      apiPerMinute: config.AIRLOCK_API_RATE_LIMIT_PER_MINUTE,
      slackPerMinute: config.AIRLOCK_SLACK_RATE_LIMIT_PER_MINUTE,
      teamsPerMinute: config.AIRLOCK_TEAMS_RATE_LIMIT_PER_MINUTE,
    },
    logLevel: config.AIRLOCK_LOG_LEVEL,
    tracer: tracing?.tracer,
    metrics: apiMetricsFor(client, config.AIRLOCK_TASK_QUEUE, catalogue.names()),
    metricsToken: config.AIRLOCK_METRICS_TOKEN,
    admissionTimeoutMs: config.AIRLOCK_API_ADMISSION_TIMEOUT_MS,
    workflowTaskTimeoutMs: config.AIRLOCK_WORKFLOW_TASK_TIMEOUT,
    callbackAllowedHosts: config.AIRLOCK_CALLBACK_ALLOWED_HOSTS,
    policy: () => policy,
    console: consoleSettingsFrom(config, () => policy),
    ...(codecKeys
      ? {
          codec: {
            codec: new AesGcmCodec(codecKeys),
            corsOrigins: config.AIRLOCK_CODEC_CORS_ORIGINS,
            ...(config.AIRLOCK_CODEC_SESSION_SECRET ? { sessionSecret: config.AIRLOCK_CODEC_SESSION_SECRET } : {}),
          },
        }
      : {}),
    ...(config.AIRLOCK_SLACK_SIGNING_SECRET
      ? {
          slack: {
            signingSecret: config.AIRLOCK_SLACK_SIGNING_SECRET,
            ...(config.AIRLOCK_SLACK_BOT_TOKEN
              ? {
                  client: slackClient({
                    botToken: config.AIRLOCK_SLACK_BOT_TOKEN,
                    ...(config.AIRLOCK_SLACK_API_URL ? { apiUrl: config.AIRLOCK_SLACK_API_URL } : {}),
                  }),
                }
              : {}),
          },
        }
      : {}),
    ...(config.AIRLOCK_TEAMS_APP_ID
      ? { teams: { appId: config.AIRLOCK_TEAMS_APP_ID, ...(config.AIRLOCK_TEAMS_JWKS_URL ? { jwksUrl: new URL(config.AIRLOCK_TEAMS_JWKS_URL) } : {}) } }
      : {}),
  });
  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await connection.close();
    await audit.close();
    await gateway?.close();
    await tracing?.shutdown();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  await app.listen({ host: config.AIRLOCK_API_HOST, port: config.AIRLOCK_API_PORT });
  // Workers must list this public key (AIRLOCK_IDENTITY_VERIFY_KEYS), or they refuse every identity the API signs.
  app.log.info({ identityKeyId: signingKey.id, identityPublicKey: Buffer.from(signingKey.publicKeyHex, 'hex').toString('base64') }, 'signing identities');
}

/** What GET /v1/audit/verify checks proofs with: this API's key, and any others configured (earlier keys, other replicas' keys). */
function auditKeys(signingKey: IdentitySigningKey, config: IdentityKeySettings): TrustedKey[] {
  const own: TrustedKey = { id: signingKey.id, publicKeyHex: signingKey.publicKeyHex };
  const configured = config.AIRLOCK_IDENTITY_VERIFY_KEYS || config.AIRLOCK_IDENTITY_VERIFY_KEYS_FILE ? loadIdentityVerifyKeys(config) : [];
  const others = [...configured, ...loadRetiredIdentityKeys(config)].filter((key) => key.id !== own.id);
  return [own, ...others];
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});
