import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowClientInterceptor } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { NativeConnection, type Worker, type WorkflowBundle } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { createActivities } from '../../activities';
import { AesGcmCodec } from '../../codec/aes-gcm-codec';
import { airlockDataConverter, FAILURE_CONVERTER_PATH } from '../../codec/data-converter';
import type { CodecKeyRing } from '../../codec/keys';
import { AuditLog } from '../../audit/audit-log';
import { openAuditLog, openAuditStore } from '../../audit/open-store';
import type { AuditStore } from '../../audit/store';
import type { RateLimits } from '../../api/rate-limit';
import { buildApi } from '../../api/server';
import type { ConsoleSettings } from '../../api/console/plugin';
import { consoleRolesOf } from '../../policy/roles';
import { CONSOLE_CLIENT_ID } from '../../scripts/lib/dev-oidc-provider';
import { generateApiKey, hashApiKey, PrincipalDirectory, type ApiKeyPrincipal, type PrincipalRole } from '../../config/principals';
import type { TokenIssuer } from '../../config/token-issuers';
import { slackClient } from '../../channels/slack/client';
import { GatewayOperations } from '../../mcp/gateway/gateway-operations';
import { catalogueWith, defaultCatalogue } from '../../operations/catalogue';
import { loadPolicyFile, type LoadedPolicy } from '../../policy';
import { createAirlockWorker } from '../../workers/create-worker';
import { bundleAirlockWorkflows } from '../../workers/workflow-bundle';
import { quietRuntime } from '../../scripts/lib/quiet-temporal';
import type { Tracing } from '../../telemetry/tracing';
import { apiCaller, type ApiCall } from './http-call';
import { TEST_TRUSTED_KEYS, testSigner } from './identity-keys';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy';
import { requiredEnv, testAwsSettings } from './test-aws';

/** The people and agents of the test policy (test/fixtures/policy.yaml), each with a fresh API key. */
export const TEST_PRINCIPALS: Record<string, PrincipalRole[]> = {
  'etl-bot': ['requester'],
  'other-bot': ['requester'],
  alice: ['requester', 'reviewer'],
  bob: ['reviewer'],
  carol: ['reviewer'],
  mallory: ['reviewer'], // a reviewer in no approver group
  root: ['admin'],
  audrey: ['auditor'],
  olive: ['operator'],
};

/** A fresh API key for each test principal: the keys to call with, and the principals (key hashes) the API reads. */
export function mintTestPrincipals(): { keys: Record<string, string>; principals: ApiKeyPrincipal[] } {
  const keys: Record<string, string> = {};
  const principals = Object.entries(TEST_PRINCIPALS).map(([id, roles]) => {
    keys[id] = generateApiKey();
    return { id, roles, keySha256: hashApiKey(keys[id]) };
  });
  return { keys, principals };
}

export const TEST_POLICY_FILE = join(__dirname, '..', 'fixtures', 'policy.yaml');

/**
 * The workflow bundle: made once per integration run (per variant) and kept in the run's bundle
 * folder, since bundling is the slow part of starting a worker; made afresh outside a run.
 */
export async function bundleWorkflows(options: { encrypted?: boolean; traced?: boolean } = {}): Promise<WorkflowBundle> {
  const dir = process.env.AIRLOCK_TEST_BUNDLE_DIR;
  const variant = `${options.encrypted ? 'encrypted' : 'plain'}${options.traced ? '-traced' : ''}.js`;
  const file = dir ? join(dir, variant) : undefined;
  if (file && existsSync(file)) return { code: readFileSync(file, 'utf8') };
  const bundle = await newBundle(options);
  if (file) {
    // Written whole, then renamed: a test file in another jest worker never reads half a bundle.
    const partial = `${file}.${process.pid}.tmp`;
    writeFileSync(partial, bundle.code);
    renameSync(partial, file);
  }
  return bundle;
}

function newBundle(options: { encrypted?: boolean; traced?: boolean }): Promise<WorkflowBundle> {
  // With encryption, workflow code must convert its failures as the worker's data converter says.
  return bundleAirlockWorkflows(TEST_TRUSTED_KEYS, options.encrypted ? FAILURE_CONVERTER_PATH : undefined, { tracing: options.traced === true });
}

export interface Stack {
  api: FastifyInstance;
  client: Client;
  taskQueue: string;
  keys: Record<string, string>;
  /** The audit trail as the API reads it (the worker writes through its own connection). */
  audit: AuditLog;
  /** Its store's URL, for worker processes a test starts itself. */
  auditUrl: string;
  startWorker(): Promise<void>;
  /** Shuts the worker down and waits for it to stop. */
  stopWorker(): Promise<void>;
  /** The recording proxy between the worker and moto (use its endpoint for spawned workers too). */
  proxy: RecordingProxy;
  /** Every secret access key and session token moto issued to this stack's worker. */
  issuedSecrets(): string[];
  /** Adds a callback receiver's host and port to the allow-list the API and the worker check (receivers start on free ports). */
  allowCallbacksTo(receiverUrl: string): void;
  /** Base URL of the API, listening on a free loopback port. */
  baseUrl: string;
  /** A real HTTP request as a named principal (null: no credentials). */
  call: ApiCall;
  stop(): Promise<void>;
}

/** The HMAC key the test stack signs requester callbacks with. */
export const TEST_CALLBACK_SECRET = 'test-callback-secret-0123456789';

export interface StackOptions {
  policyFile?: string;
  /** Slack wiring: the worker posts through `apiUrl` (a local double); the API verifies with `signingSecret`. */
  slack?: { botToken: string; apiUrl: string; signingSecret: string };
  /** Teams wiring: the worker gets a bot token from `tokenUrl` and posts cards to `serviceUrl` (a local double). */
  teams?: { appId: string; appPassword: string; serviceUrl: string; tokenUrl: string };
  /** Email wiring: the worker sends through this SMTP server (a local one, scripts/lib/dev-smtp-server.ts). */
  email?: { smtpUrl: string; from: string };
  /** The console's base URL that channel messages link to (AIRLOCK_CONSOLE_URL). */
  consoleUrl?: string;
  /** With `teams`: the API serves POST /teams/messages, trusting tokens signed by this JWKS (test/support/bot-framework-tokens.ts). */
  teamsJwksUrl?: URL;
  /** False: no worker yet (call `startWorker()`), to test what happens while none runs. */
  worker?: boolean;
  admissionTimeoutMs?: number;
  /** Audit store URL; by default a fresh embedded (SQLite) store in a temp dir. */
  auditUrl?: string;
  /** Wraps the worker's audit store, e.g. to inject failures. */
  wrapWorkerAuditStore?: (store: AuditStore) => AuditStore;
  /** Interceptors on the API's Temporal client, e.g. to see which requests reach Temporal. */
  clientInterceptors?: WorkflowClientInterceptor[];
  /** The API's rate limits; by default too high to reach, since tests poll fast as a few principals. */
  rateLimits?: Partial<RateLimits>;
  /** Payload encryption for worker, API client and codec endpoint; bundle with `bundleWorkflows({ encrypted: true })`. */
  codecKeys?: CodecKeyRing;
  /** Browser origins the codec endpoint accepts. */
  codecCorsOrigins?: string[];
  /** An MCP gateway file: the worker and the API each connect to its servers, as their processes do. */
  gatewayFile?: string;
  /** Operation modules of the deployment's own (AIRLOCK_OPERATIONS), loaded beside the built-in operations. */
  operationModules?: string[];
  /** Identity providers whose tokens the API accepts beside the test principals' keys. */
  tokenIssuers?: TokenIssuer[];
  /**
   * The web console, signing in at `issuer` as the client `airlock-console`: the API then listens on
   * `apiPort` (the provider must know its callback before the API starts).
   */
  console?: { issuer: string; apiPort: number; sessionTtlMs?: number; sessionSecret?: string };
  /**
   * Tracing for the worker and the API, as their processes set it up from OTEL_* (both here share
   * the one provider); bundle with `bundleWorkflows({ traced: true })` for workflow spans.
   */
  tracing?: Tracing;
  /** Where the API's log lines go, at info level (default: none). */
  apiLogStream?: { write(line: string): void };
}

/** Worker (real activities on moto) + API on the shared dev server, with its own task queue. */
export async function startStack(bundle: WorkflowBundle, options: StackOptions = {}): Promise<Stack> {
  quietRuntime();
  const address = requiredEnv('AIRLOCK_TEST_TEMPORAL_ADDRESS');
  const taskQueue = `airlock-test-${randomUUID()}`;
  const workerGateway = options.gatewayFile ? await GatewayOperations.start(options.gatewayFile, () => undefined) : undefined;
  const apiGateway = options.gatewayFile ? await GatewayOperations.start(options.gatewayFile, () => undefined) : undefined;
  const modules = options.operationModules ?? [];
  const catalogue = workerGateway || modules.length > 0 ? catalogueWith(modules, workerGateway ? [workerGateway] : []) : defaultCatalogue();
  const apiCatalogue = apiGateway ? catalogueWith(modules, [apiGateway]) : catalogue;
  const policy = loadPolicyFile(options.policyFile ?? TEST_POLICY_FILE);
  // The worker's AWS traffic goes through a recording proxy, so tests can see what moto issued.
  const proxy = await startRecordingProxy(requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT'));
  // Worker and API each open the store, as the two processes do in production.
  const auditDir = options.auditUrl ? undefined : mkdtempSync(join(tmpdir(), 'airlock-audit-'));
  const auditUrl = options.auditUrl ?? `sqlite:${join(auditDir ?? '', 'audit.db')}`;
  const workerStore = await openAuditStore(auditUrl);
  const workerAudit = new AuditLog(options.wrapWorkerAuditStore ? options.wrapWorkerAuditStore(workerStore) : workerStore);
  const apiAudit = await openAuditLog(auditUrl);

  // One list, read by API and worker at each check: tests add their receivers' ports as they start them.
  const callbackAllowList: string[] = [];
  const nativeConnection = await NativeConnection.connect({ address });
  let running: { worker: Worker; done: Promise<void> } | undefined;
  const startWorker = async (): Promise<void> => {
    const worker = await createAirlockWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: bundle,
      dataConverter: airlockDataConverter(options.codecKeys),
      activities: createActivities({
        policy: () => policy,
        catalogue,
        aws: testAwsSettings(proxy.endpoint),
        ...(options.slack ? { slack: { botToken: options.slack.botToken, apiUrl: options.slack.apiUrl } } : {}),
        ...(options.teams ? { teams: options.teams } : {}),
        ...(options.email ? { email: options.email } : {}),
        links: { namespace: 'default', temporalUiUrl: 'http://127.0.0.1:8233', ...(options.consoleUrl ? { consoleUrl: options.consoleUrl } : {}) },
        callbacks: { secret: TEST_CALLBACK_SECRET, allowedHosts: callbackAllowList },
        audit: workerAudit,
        identityKeys: TEST_TRUSTED_KEYS,
      }),
      tracing: options.tracing,
    });
    running = { worker, done: worker.run() };
  };
  if (options.worker !== false) await startWorker();

  const connection = await Connection.connect({ address });
  const dataConverter = airlockDataConverter(options.codecKeys);
  const client = new Client({
    connection,
    namespace: 'default',
    interceptors: {
      workflow: [
        ...(options.tracing ? [new OpenTelemetryWorkflowClientInterceptor({ tracer: options.tracing.tracer })] : []),
        ...(options.clientInterceptors ?? []),
      ],
    },
    ...(dataConverter ? { dataConverter } : {}),
  });
  const minted = mintTestPrincipals();
  const { keys } = minted;
  const principals = new PrincipalDirectory(minted.principals);
  const api = await buildApi({
    client,
    catalogue: apiCatalogue,
    principals,
    tokenIssuers: options.tokenIssuers,
    taskQueue,
    audit: apiAudit,
    identity: testSigner(),
    logLevel: options.apiLogStream ? 'info' : 'silent',
    ...(options.apiLogStream ? { logStream: options.apiLogStream } : {}),
    tracer: options.tracing?.tracer,
    temporalUiUrl: 'http://127.0.0.1:8233',
    callbackAllowedHosts: callbackAllowList,
    rateLimits: options.rateLimits ?? { apiPerMinute: 1_000_000, slackPerMinute: 1_000_000 },
    ...(options.admissionTimeoutMs ? { admissionTimeoutMs: options.admissionTimeoutMs } : {}),
    ...(options.codecKeys ? { codec: { codec: new AesGcmCodec(options.codecKeys), corsOrigins: options.codecCorsOrigins ?? [] } } : {}),
    policy: () => policy,
    ...(options.console ? { console: testConsoleSettings(options.console, () => policy) } : {}),
    ...(options.slack
      ? {
          slack: {
            signingSecret: options.slack.signingSecret,
            client: slackClient({ botToken: options.slack.botToken, apiUrl: options.slack.apiUrl }),
          },
        }
      : {}),
    ...(options.teams && options.teamsJwksUrl ? { teams: { appId: options.teams.appId, jwksUrl: options.teamsJwksUrl } } : {}),
  });
  const baseUrl = await api.listen({ host: '127.0.0.1', port: options.console?.apiPort ?? 0 });

  return {
    api,
    client,
    taskQueue,
    keys,
    audit: apiAudit,
    auditUrl,
    startWorker,
    async stopWorker() {
      if (!running) return;
      running.worker.shutdown();
      await running.done;
      running = undefined;
    },
    proxy,
    issuedSecrets: () => proxy.issuedSecrets(),
    allowCallbacksTo: (receiverUrl) => void callbackAllowList.push(new URL(receiverUrl).host),
    baseUrl,
    call: apiCaller(baseUrl, keys),
    async stop() {
      await api.close();
      if (running) {
        running.worker.shutdown();
        await running.done;
      }
      await connection.close();
      await nativeConnection.close();
      await proxy.stop();
      await workerAudit.close();
      await apiAudit.close();
      await workerGateway?.close();
      await apiGateway?.close();
      if (auditDir) rmSync(auditDir, { recursive: true, force: true });
    },
  };
}

/** The console as npm start configures it against the dev provider: people by email, roles from the policy. */
function testConsoleSettings(settings: NonNullable<StackOptions['console']>, policy: () => LoadedPolicy): ConsoleSettings {
  return {
    baseUrl: `http://127.0.0.1:${settings.apiPort}`,
    oidc: { issuer: settings.issuer, clientId: CONSOLE_CLIENT_ID, scopes: 'openid email groups' },
    claims: { identityClaim: 'email', groupsClaim: 'groups' },
    sessionTtlMs: settings.sessionTtlMs ?? 3_600_000,
    ...(settings.sessionSecret ? { sessionSecret: settings.sessionSecret } : {}),
    policy,
    rolesOf: consoleRolesOf,
  };
}
