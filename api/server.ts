import Fastify, { type FastifyInstance } from 'fastify';
import type { Tracer } from '@opentelemetry/api';
import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { AuditLog } from '../audit/audit-log';
import type { LoadedPolicy } from '../policy';
import { registerInboundChannels, type SlackInboundSettings, type TeamsInboundSettings } from '../channels/inbound-registry';
import type { PrincipalDirectory } from '../config/principals';
import type { TokenIssuer } from '../config/token-issuers';
import type { Catalogue } from '../operations/catalogue';
import { ActionsService } from './actions-service';
import { Authenticator } from './authenticator';
import { installRequestTracing } from './request-tracing';
import type { IdentitySigner } from './identity-signer';
import type { TrustedKey } from '../domain/identity-proof';
import { refuseUnreadOversizedBodies } from './body-limit';
import { installErrorHandling } from './errors';
import { installJsonBodyParser } from './json-body';
import { installActionLogContext } from './log-context';
import type { ApiMetrics } from './metrics';
import { clientErrorHandler, frameworkErrors, refuseExpectations } from './protocol-errors';
import { DEFAULT_RATE_LIMITS, installRateLimits, type RateLimits } from './rate-limit';
import { RefusedVoteRecorder } from './refused-votes';
import { codecRoutes } from './codec/routes';
import type { ConsoleSettings } from './console/plugin';
import type * as ConsolePluginModule from './console/plugin';
import type * as ConsolePagesModule from './console/pages';
import { SessionSigner } from './codec/session';
import { actionRoutes } from './routes/actions';
import { catalogueRoutes } from './routes/catalogue';
import { auditRoutes } from './routes/audit';
import { healthRoutes } from './routes/health';
import { installOpenApi, openApiRoutes } from './openapi';
import { installMetrics } from './routes/metrics';
import { errorResponses, installKindResponses } from './route-responses';
import { installZodValidation } from './zod-validation';
import { sensitiveParamNames } from '../telemetry/redact';
import { redactingLogOptions } from '../telemetry/log-options';

export interface ApiOptions {
  client: Client;
  catalogue: Catalogue;
  principals: PrincipalDirectory;
  /** Identity providers whose bearer tokens the routes accept beside API keys (the principals file's `tokenIssuers`). */
  tokenIssuers?: readonly TokenIssuer[] | undefined;
  taskQueue: string;
  /** The audit trail: refused votes are written here; auditors read it. */
  audit: AuditLog;
  /** Signs every identity the API hands to Temporal (config: AIRLOCK_IDENTITY_SIGNING_KEY). */
  identity: IdentitySigner;
  /** Keys `GET /v1/audit/verify` checks proofs with; default: the signing key's public half only. */
  auditIdentityKeys?: readonly TrustedKey[] | undefined;
  temporalUiUrl?: string | undefined;
  bodyLimit?: number | undefined;
  logLevel?: string | undefined;
  /** Where log lines go (default stdout); tests read them. */
  logStream?: { write(line: string): void } | undefined;
  /** With tracing on (docs/operators.md#tracing): a span per request, its ids on the request's log lines. */
  tracer?: Tracer | undefined;
  /** How long `POST /v1/actions` waits for the policy decision before answering `evaluating`. */
  admissionTimeoutMs?: number | undefined;
  /** Each new action's workflow task timeout (AIRLOCK_WORKFLOW_TASK_TIMEOUT); default 3 s. */
  workflowTaskTimeoutMs?: number | undefined;
  /** Hosts a request's `callbackUrl` may point at. */
  callbackAllowedHosts?: readonly string[] | undefined;
  /**
   * The policy, for mapping channel user ids (Slack, Teams) to identities, and for `GET /v1/catalogue`
   * (registered only with it) to tell agents whether their requests will be reviewed.
   */
  policy?: (() => LoadedPolicy) | undefined;
  /** Slack interactivity: enabled when a signing secret is configured. */
  slack?: SlackInboundSettings | undefined;
  /** Teams bot endpoint: enabled with the bot's app id. `jwksUrl` is for tests only (docs/teams.md). */
  teams?: TeamsInboundSettings | undefined;
  /** Requests a minute per principal (API) and per client IP (Slack, Teams); defaults 600 each. */
  rateLimits?: Partial<RateLimits> | undefined;
  /** `GET /metrics` and the request counter (docs/operators.md); unset: neither. */
  metrics?: ApiMetrics | undefined;
  /** When set, `GET /metrics` requires `Authorization: Bearer <token>`. */
  metricsToken?: string | undefined;
  /** The codec server for the Temporal UI and CLI (`/codec/*`): only when payload encryption is on. */
  codec?: { codec: PayloadCodec; corsOrigins: readonly string[]; sessionSecret?: string } | undefined;
  /** The web console (`/console`): sign-in with an OpenID provider, the inbox, actions, the audit trail. */
  console?: ConsoleSettings | undefined;
}

/** Builds the HTTP API without listening, so tests can `inject` and entry points can `listen`. */
export async function buildApi(options: ApiOptions): Promise<FastifyInstance> {
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  const app = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      ...redactingLogOptions(sensitiveParamNames(options.catalogue.list()), ['req.headers.authorization', 'req.headers["x-slack-signature"]']),
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit,
    requestTimeout: 30_000,
    connectionTimeout: 30_000,
    return503OnClosing: true,
    frameworkErrors,
    clientErrorHandler,
  });
  // First: every later hook (authentication, rate limits) and the handler run inside the request's span.
  if (options.tracer) installRequestTracing(app, options.tracer);
  installErrorHandling(app);
  installZodValidation(app);
  // Before any route: each is documented from its own schema as it is registered.
  installKindResponses(app);
  await installOpenApi(app);
  installActionLogContext(app);
  if (options.metrics) installMetrics(app, { metrics: options.metrics, ...(options.metricsToken ? { token: options.metricsToken } : {}) });
  refuseExpectations(app.server);
  app.removeContentTypeParser('text/plain'); // JSON only: anything else is a 415, not a string body
  installJsonBodyParser(app);
  refuseUnreadOversizedBodies(app, bodyLimit);
  const refusedVotes = new RefusedVoteRecorder(options.audit, { log: app.log, ...(options.metrics ? { metrics: options.metrics } : {}) });
  const actions = new ActionsService(
    options.client,
    options.catalogue,
    options.taskQueue,
    options.audit,
    options.identity,
    options.admissionTimeoutMs,
    refusedVotes,
    options.workflowTaskTimeoutMs,
  );
  const view = {
    namespace: options.client.options.namespace,
    ...(options.temporalUiUrl ? { temporalUiUrl: options.temporalUiUrl } : {}),
    // Chat cards the API renders link to the console, and a step-up refusal leads there.
    ...(options.console ? { consoleUrl: options.console.baseUrl } : {}),
  };
  const auth = new Authenticator(options.principals, options.tokenIssuers);
  // Before the routes: the limiter attaches itself to each route as it is added.
  await installRateLimits(app, auth, { ...DEFAULT_RATE_LIMITS, ...options.rateLimits });
  await app.register(healthRoutes, { client: options.client });
  if (options.policy) {
    // Each channel's inbound route (Slack interactions, the Teams bot endpoint), when it is configured.
    await registerInboundChannels(app, {
      actions,
      policy: options.policy,
      links: view,
      errorResponses: (codes) => errorResponses(codes),
      ...(options.slack ? { slack: options.slack } : {}),
      ...(options.teams ? { teams: options.teams } : {}),
    });
  }
  await app.register(actionRoutes, {
    actions,
    catalogue: options.catalogue,
    auth,
    view,
    callbackAllowedHosts: options.callbackAllowedHosts ?? [],
  });
  if (options.policy) {
    await app.register(catalogueRoutes, { catalogue: options.catalogue, auth, policy: options.policy });
  }
  await app.register(auditRoutes, {
    audit: options.audit,
    auth,
    identityKeys: options.auditIdentityKeys ?? [options.identity.trustedKey()],
  });
  await app.register(openApiRoutes);
  if (options.codec) {
    await app.register(codecRoutes, {
      codec: options.codec.codec,
      principals: options.principals,
      namespace: options.client.options.namespace,
      corsOrigins: options.codec.corsOrigins,
      sessions: new SessionSigner(options.codec.sessionSecret),
    });
  }
  if (options.console) {
    // Loaded only when on: its plugins, openid-client and Preact are not needed otherwise (a relative
    // import() would need a .js extension jest cannot resolve, so require, typed by the imports above).
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { consolePlugin } = require('./console/plugin') as typeof ConsolePluginModule;
    const { consolePages } = require('./console/pages') as typeof ConsolePagesModule;
    /* eslint-enable @typescript-eslint/no-require-imports */
    // Its own scope: the cookie, form and CSP plugins it registers apply to its pages only, never to /v1.
    const pageDeps = {
      actions,
      audit: options.audit,
      catalogue: options.catalogue,
      view,
      identityKeys: options.auditIdentityKeys ?? [options.identity.trustedKey()],
    };
    await app.register(consolePlugin, { settings: options.console, pages: (scope, context) => consolePages(scope, context, pageDeps) });
  }
  return app;
}
