import { NativeConnection } from '@temporalio/worker';
import { createActivities } from '../activities';
import { openAuditLog, redactUrl } from '../audit/open-store';
import { loadConfig, required } from '../config/load';
import { connectToTemporal, workerConnectionOptions } from '../config/temporal-connection';
import { GatewayOperations } from '../mcp/gateway/gateway-operations';
import { catalogueWith } from '../operations/catalogue';
import { loadPolicyFile } from '../policy';
import { airlockDataConverter } from '../codec/data-converter';
import { loadKeyRing } from '../codec/keys';
import { loadIdentityVerifyKeys, refuseSigningKey } from '../config/identity-keys';
import { bundleInChildProcess } from './bundle-process';
import { createAirlockWorker } from './create-worker';
import { startWorkerTelemetry } from './telemetry';

/** Worker entry point: validate config and policy (fail fast), connect, run until SIGINT/SIGTERM. */
async function main(): Promise<void> {
  const config = loadConfig();
  // Before anything connects: an operation module that fails its checks stops the start, naming itself;
  // so does a gateway file with a mistake (a downstream server that cannot be reached does not).
  const gateway = config.AIRLOCK_GATEWAY_FILE ? await GatewayOperations.start(config.AIRLOCK_GATEWAY_FILE) : undefined;
  const catalogue = catalogueWith(config.AIRLOCK_OPERATIONS, gateway ? [gateway] : []);
  // First: the Temporal Runtime (logger, SDK metrics) must exist before any connection or bundle.
  const telemetry = await startWorkerTelemetry(config, catalogue);
  const policy = loadPolicyFile(config.AIRLOCK_POLICY_FILE);
  const codecKeys = loadKeyRing({ keys: config.AIRLOCK_CODEC_KEYS, keysFile: config.AIRLOCK_CODEC_KEYS_FILE });
  // Public keys only: a worker can check identities, never make them.
  refuseSigningKey(config);
  const identityKeys = loadIdentityVerifyKeys(config);
  const audit = await openAuditLog(config.AIRLOCK_AUDIT_URL);
  const activities = createActivities({
    audit,
    identityKeys,
    metrics: telemetry.metrics,
    policy: () => policy,
    catalogue,
    aws: {
      region: config.AIRLOCK_AWS_REGION,
      partition: config.AIRLOCK_AWS_PARTITION,
      endpoint: config.AIRLOCK_AWS_ENDPOINT,
      executorRoleArn: required(config, 'AIRLOCK_EXECUTOR_ROLE_ARN'),
    },
    ...(config.AIRLOCK_SLACK_BOT_TOKEN
      ? { slack: { botToken: config.AIRLOCK_SLACK_BOT_TOKEN, ...(config.AIRLOCK_SLACK_API_URL ? { apiUrl: config.AIRLOCK_SLACK_API_URL } : {}) } }
      : {}),
    ...(config.AIRLOCK_TEAMS_APP_ID
      ? {
          teams: {
            appId: config.AIRLOCK_TEAMS_APP_ID,
            appPassword: required(config, 'AIRLOCK_TEAMS_APP_PASSWORD'),
            serviceUrl: config.AIRLOCK_TEAMS_SERVICE_URL,
            ...(config.AIRLOCK_TEAMS_TOKEN_URL ? { tokenUrl: config.AIRLOCK_TEAMS_TOKEN_URL } : {}),
          },
        }
      : {}),
    ...(config.AIRLOCK_SMTP_URL ? { email: { smtpUrl: config.AIRLOCK_SMTP_URL, from: required(config, 'AIRLOCK_EMAIL_FROM') } } : {}),
    links: {
      namespace: config.AIRLOCK_TEMPORAL_NAMESPACE,
      ...(config.AIRLOCK_TEMPORAL_UI_URL ? { temporalUiUrl: config.AIRLOCK_TEMPORAL_UI_URL } : {}),
      ...(config.AIRLOCK_CONSOLE_URL ? { consoleUrl: config.AIRLOCK_CONSOLE_URL } : {}),
    },
    callbacks: {
      allowedHosts: config.AIRLOCK_CALLBACK_ALLOWED_HOSTS,
      ...(config.AIRLOCK_CALLBACK_SECRET ? { secret: config.AIRLOCK_CALLBACK_SECRET } : {}),
    },
  });
  const dataConverter = airlockDataConverter(codecKeys);
  const workflowBundle = await bundleInChildProcess({
    identityKeys,
    failureConverterPath: dataConverter?.failureConverterPath,
    tracing: telemetry.tracing !== undefined,
  });
  const connection = await connectToTemporal(() => NativeConnection.connect(workerConnectionOptions(config)), config);
  const worker = await createAirlockWorker({
    connection,
    namespace: config.AIRLOCK_TEMPORAL_NAMESPACE,
    taskQueue: config.AIRLOCK_TASK_QUEUE,
    activities,
    workflowBundle,
    dataConverter,
    cacheBudgetMiB: config.AIRLOCK_WORKER_CACHE_MIB,
    maxCachedWorkflows: config.AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS,
    stickyTimeoutMs: config.AIRLOCK_WORKER_STICKY_TIMEOUT,
    tracing: telemetry.tracing,
  });
  telemetry.announce(
    `worker: polling task queue ${config.AIRLOCK_TASK_QUEUE} (policy ${policy.hash}, audit ${audit.store.kind} ${redactUrl(config.AIRLOCK_AUDIT_URL)}, payloads ${codecKeys ? `encrypted with key ${codecKeys.encrypting.id}` : 'not encrypted'}, identities signed by ${identityKeys.map((key) => key.id).join(', ')}, cache ${worker.options.maxCachedWorkflows} workflows)`,
  );
  try {
    await worker.run(); // the SDK runtime drains and stops on SIGINT/SIGTERM
  } finally {
    await connection.close();
    await audit.close();
    await gateway?.close();
    await telemetry.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? `${err.name}: ${err.message}` : err);
  process.exit(1);
});
