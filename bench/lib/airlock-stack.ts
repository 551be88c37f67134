import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type WorkflowBundle } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { openAuditLog } from '../../audit/open-store';
import type { AuditLog } from '../../audit/audit-log';
import { buildApi } from '../../api/server';
import { generateApiKey, hashApiKey, PrincipalDirectory, type PrincipalRole } from '../../config/principals';
import { GatewayOperations } from '../../mcp/gateway/gateway-operations';
import { catalogueWith, type Catalogue } from '../../operations/catalogue';
import { loadPolicyFile, type LoadedPolicy } from '../../policy';
import { createAirlockWorker } from '../../workers/create-worker';
import type { actionView } from '../../api/action-view';
import { benchActivities, loadBenchPolicy } from './bench-activities';
import { UndoStack } from './undo-stack';
import { BENCH_TRUSTED_KEYS, benchSigner } from './bench-identity';
import type { BenchServers } from './bench-servers';
import { benchCatalogue } from './noop-operation';
import { runWorker } from './run-worker';

/** The principals of bench/workflow-policy.yaml, each given a fresh API key. */
export const BENCH_PRINCIPALS = {
  'bench-agent': ['requester'],
  'bench-agent-2': ['requester'],
  'bench-auto': ['requester'],
  'bench-reviewer': ['reviewer'],
  'bench-reviewer-2': ['reviewer'],
} satisfies Record<string, PrincipalRole[]>;
export type BenchPrincipal = keyof typeof BENCH_PRINCIPALS;

/** An action as the API shows it. */
export type ActionView = ReturnType<typeof actionView>;

/** What the API answered: status code and parsed JSON body (an error body when the status says so). */
export interface ApiResponse<T> {
  status: number;
  body: T;
}

/** Airlock in one process, as test/support/stack.ts assembles it: worker, API on loopback, a client. */
export interface AirlockStack {
  client: Client;
  /** The API's base URL on loopback, for clients of its own (Airlock's MCP server, AirlockClient). */
  baseUrl: string;
  /** Each bench principal's API key. */
  keys: Record<BenchPrincipal, string>;
  /** A real HTTP POST to the API as a bench principal, over loopback. */
  post<T = ActionView>(as: BenchPrincipal, path: string, body: unknown): Promise<ApiResponse<T>>;
  stop(): Promise<void>;
}

/** Fails the run on any answer but the expected one: a benchmark of errors measures nothing. */
export function expectAnswer(what: string, response: ApiResponse<ActionView>, status: number, actionStatus?: string): void {
  if (response.status !== status || (actionStatus !== undefined && response.body.status !== actionStatus)) {
    throw new Error(`${what} answered ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
  }
}

export interface AirlockStackOptions {
  /** Another policy than bench/workflow-policy.yaml (its identities among BENCH_PRINCIPALS). */
  policyFile?: string;
  /**
   * An MCP gateway file: the worker and the API each connect to its servers (GatewayOperations),
   * as their processes do, and run with the production catalogue (built-ins and the gateway's
   * tools) in place of the bench catalogue.
   */
  gatewayFile?: string;
}

/**
 * Starts a worker with the real activities (bench catalogue and policy, STS on moto, a fresh
 * SQLite audit store in a temp dir, opened by worker and API each as the two processes do) and
 * the real API with real keys. `stop()` undoes all of it, also after a partial start.
 */
export async function startAirlockStack(
  servers: BenchServers,
  bundle: WorkflowBundle,
  taskQueue: string,
  options: AirlockStackOptions = {},
): Promise<AirlockStack> {
  const undo = new UndoStack();
  const stop = (): Promise<void> => undo.run();
  try {
    const auditDir = mkdtempSync(join(tmpdir(), 'airlock-bench-wf-'));
    undo.push(async () => rmSync(auditDir, { recursive: true, force: true }));
    const auditUrl = `sqlite:${join(auditDir, 'audit.db')}`;
    const workerAudit = await openAuditLog(auditUrl);
    undo.push(() => workerAudit.close());
    const apiAudit = await openAuditLog(auditUrl);
    undo.push(() => apiAudit.close());
    const policy = options.policyFile ? loadPolicyFile(options.policyFile) : loadBenchPolicy();
    const workerCatalogue = await gatewayCatalogue('worker', options.gatewayFile, undo);
    const apiCatalogue = await gatewayCatalogue('API', options.gatewayFile, undo);

    const nativeConnection = await NativeConnection.connect({ address: servers.temporalAddress });
    undo.push(() => nativeConnection.close());
    const worker = await createAirlockWorker({
      connection: nativeConnection,
      namespace: 'default',
      taskQueue,
      workflowBundle: bundle,
      activities: benchActivities({
        policy,
        aws: servers.aws,
        audit: workerAudit,
        identityKeys: BENCH_TRUSTED_KEYS,
        ...(workerCatalogue ? { catalogue: workerCatalogue } : {}),
      }),
    });
    undo.push(runWorker(worker));

    const connection = await Connection.connect({ address: servers.temporalAddress });
    undo.push(() => connection.close());
    const client = new Client({ connection, namespace: 'default' });
    const { api, keys } = await startApi(client, taskQueue, apiAudit, apiCatalogue ?? benchCatalogue(), policy);
    undo.push(() => api.close());
    const baseUrl = await api.listen({ host: '127.0.0.1', port: 0 });

    return {
      client,
      baseUrl,
      keys,
      async post<T>(as: BenchPrincipal, path: string, body: unknown): Promise<ApiResponse<T>> {
        const response = await fetch(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys[as]}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        return { status: response.status, body: (await response.json()) as T };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The production catalogue with the gateway file's servers connected (closed by `undo`), or
 * undefined without a file. What the gateway logs (a server connected, or unavailable) is printed.
 */
async function gatewayCatalogue(who: string, file: string | undefined, undo: UndoStack): Promise<Catalogue | undefined> {
  if (!file) return undefined;
  const gateway = await GatewayOperations.start(file, (message) => console.log(`  ${who} gateway: ${message}`));
  undo.push(() => gateway.close());
  return catalogueWith([], [gateway]);
}

async function startApi(
  client: Client,
  taskQueue: string,
  audit: AuditLog,
  catalogue: Catalogue,
  policy: LoadedPolicy,
): Promise<{ api: FastifyInstance; keys: Record<BenchPrincipal, string> }> {
  const keys = {} as Record<BenchPrincipal, string>;
  const principals = new PrincipalDirectory(
    Object.entries(BENCH_PRINCIPALS).map(([id, roles]) => {
      const key = generateApiKey();
      keys[id as BenchPrincipal] = key;
      return { id, roles: [...roles], keySha256: hashApiKey(key) };
    }),
  );
  const api = await buildApi({
    client,
    catalogue,
    principals,
    // As the API process does: GET /v1/catalogue (which Airlock's MCP server reads) is served only with it.
    policy: () => policy,
    taskQueue,
    audit,
    identity: benchSigner(),
    logLevel: 'silent',
    // The throughput part sends far more than a person's 600 a minute; the limiter itself still runs.
    rateLimits: { apiPerMinute: 10_000_000, slackPerMinute: 10_000_000 },
  });
  return { api, keys };
}
