import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { stringify } from 'yaml';
import { openAuditLog } from '../../audit/open-store';
import type { AuditLog } from '../../audit/audit-log';
import { freePort } from '../../net/free-port';
import { ManagedProcess } from '../../scripts/lib/managed-process';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { startTemporalDevServer, type DevServer } from '../../scripts/lib/temporal-dev-server';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { apiCaller, type ApiCall } from './http-call';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy';
import { mintTestPrincipals, TEST_POLICY_FILE } from './stack';
import { requiredEnv, TEST_REGION } from './test-aws';
import { TEST_IDENTITY_ENTRIES } from './identity-keys';

const DIST = join(PROJECT_ROOT, 'dist');
const WORKER_ENTRY = join(DIST, 'workers', 'main.js');
const API_ENTRY = join(DIST, 'api', 'main.js');

export interface ProcessStackOptions {
  policyFile?: string;
  /** Serve the worker's /metrics on a free port (`workerMetricsUrl`). Off by default, so stacks never contend for a port. */
  workerMetrics?: boolean;
  /** Settings for both processes on top of the stack's own, e.g. `AIRLOCK_LOG_LEVEL`. */
  env?: NodeJS.ProcessEnv;
  /** Settings for one process only, on top of `env`: e.g. each its own `OTEL_SERVICE_NAME`. */
  processEnv?: { api?: NodeJS.ProcessEnv; worker?: NodeJS.ProcessEnv };
  /** Every line either process prints, with the stream it printed it on. */
  onLine?: (process: 'api' | 'worker', line: string, stream: 'stdout' | 'stderr') => void;
}

/**
 * Airlock as it runs in production, for fault tests: a Temporal dev server of its own that keeps
 * its state in a SQLite file (so it can be killed and restarted on the same file and port), and
 * the worker and the API as separate OS processes built from dist/, sharing an embedded audit
 * store. The worker reaches the shared moto server through a recording proxy that counts effects.
 */
export class ProcessStack {
  worker: ManagedProcess | undefined;
  private constructor(
    private temporal: DevServer,
    private readonly temporalPort: number,
    private readonly dir: string,
    readonly proxy: RecordingProxy,
    /** The API process; replaced by `restartApi`. */
    public api: ManagedProcess,
    readonly client: Client,
    private readonly connection: Connection,
    /** The audit trail as an auditor reads it (the worker and the API write it). */
    readonly audit: AuditLog,
    /** A real HTTP request to the API process as a named principal of TEST_PRINCIPALS. */
    readonly call: ApiCall,
    private readonly env: NodeJS.ProcessEnv,
    private readonly processEnv: NonNullable<ProcessStackOptions['processEnv']>,
    private readonly onLine: ProcessStackOptions['onLine'],
    /** The worker's /metrics, with `workerMetrics: true`. */
    readonly workerMetricsUrl: string | undefined,
    /** The API process's base URL, for clients other than `call` (an MCP server in front of it). */
    readonly apiUrl: string,
    /** Each test principal's API key, by principal id. */
    readonly keys: Readonly<Record<string, string>>,
  ) {}

  static async start(options: ProcessStackOptions = {}): Promise<ProcessStack> {
    for (const entry of [WORKER_ENTRY, API_ENTRY]) {
      if (!existsSync(entry)) throw new Error(`${entry} is missing: npm test builds it (npm run build)`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'airlock-faults-'));
    const cleanups: (() => Promise<void> | void)[] = [() => rmSync(dir, { recursive: true, force: true })];
    try {
      const temporalPort = await freePort();
      const temporal = await startOwnTemporal(dir, temporalPort);
      cleanups.unshift(() => temporal.stop());
      const proxy = await startRecordingProxy(requiredEnv('AIRLOCK_TEST_MOTO_ENDPOINT'));
      cleanups.unshift(() => proxy.stop());

      const { keys, principals } = mintTestPrincipals();
      const principalsFile = join(dir, 'principals.yaml');
      writeFileSync(principalsFile, stringify({ principals }));
      const auditUrl = `sqlite:${join(dir, 'audit.db')}`;
      const apiPort = await freePort();
      const workerMetricsPort = options.workerMetrics ? await freePort() : 0;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        AIRLOCK_TEMPORAL_ADDRESS: temporal.address,
        AIRLOCK_TASK_QUEUE: `airlock-faults-${randomUUID()}`,
        AIRLOCK_POLICY_FILE: options.policyFile ?? TEST_POLICY_FILE,
        AIRLOCK_PRINCIPALS_FILE: principalsFile,
        AIRLOCK_AUDIT_URL: auditUrl,
        AIRLOCK_API_PORT: String(apiPort),
        // Tests poll fast as a few principals; the limits are tested elsewhere.
        AIRLOCK_API_RATE_LIMIT_PER_MINUTE: '1000000',
        AIRLOCK_LOG_LEVEL: 'warn',
        // Calls that find no worker or no Temporal answer 503 after this; 10 s by default, shorter keeps outages quick.
        AIRLOCK_API_ADMISSION_TIMEOUT_MS: '4000',
        AIRLOCK_AWS_REGION: TEST_REGION,
        AIRLOCK_AWS_ENDPOINT: proxy.endpoint,
        AIRLOCK_EXECUTOR_ROLE_ARN: requiredEnv('AIRLOCK_TEST_ROLE_ARN'),
        AWS_ACCESS_KEY_ID: MOTO_BASE_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: MOTO_BASE_CREDENTIALS.secretAccessKey,
        AIRLOCK_WORKER_METRICS_PORT: String(workerMetricsPort),
        // Both processes read the public key; only the API gets the signing key (below).
        AIRLOCK_IDENTITY_VERIFY_KEYS: TEST_IDENTITY_ENTRIES.verify,
        ...options.env,
      };
      const onLine = options.onLine;
      const processEnv = options.processEnv ?? {};
      const api = startApi({ ...env, ...processEnv.api }, onLine);
      cleanups.unshift(() => api.stop());
      const connection = await Connection.connect({ address: temporal.address });
      cleanups.unshift(() => connection.close());
      const audit = await openAuditLog(auditUrl);
      cleanups.unshift(() => audit.close());
      const stack = new ProcessStack(
        temporal,
        temporalPort,
        dir,
        proxy,
        api,
        new Client({ connection, namespace: 'default' }),
        connection,
        audit,
        apiCaller(`http://127.0.0.1:${apiPort}`, keys),
        env,
        processEnv,
        onLine,
        workerMetricsPort ? `http://127.0.0.1:${workerMetricsPort}/metrics` : undefined,
        `http://127.0.0.1:${apiPort}`,
        keys,
      );
      await stack.apiHealthy();
      await stack.startWorker();
      return stack;
    } catch (err) {
      for (const cleanup of cleanups) await cleanup();
      throw err;
    }
  }

  /** Starts a worker process and waits until it polls its task queue. */
  async startWorker(): Promise<void> {
    if (this.worker?.running) throw new Error('a worker is already running');
    let polling: () => void = () => undefined;
    const ready = new Promise<void>((resolveReady) => (polling = resolveReady));
    const worker = ManagedProcess.start('worker', process.execPath, [WORKER_ENTRY], {
      env: { ...this.env, ...this.processEnv.worker },
      onLine: (line, stream) => {
        if (line.includes('worker: polling task queue')) polling();
        this.onLine?.('worker', line, stream);
      },
    });
    this.worker = worker;
    await Promise.race([ready, worker.exit.then(() => Promise.reject(new Error(`the worker exited during start:\n${worker.tail()}`)))]);
  }

  /** SIGKILLs the API and starts it again on the same port and settings; resolves once it is healthy. */
  async restartApi(): Promise<void> {
    await this.api.kill();
    this.api = startApi({ ...this.env, ...this.processEnv.api }, this.onLine);
    await this.apiHealthy();
  }

  /** SIGKILL: the worker gets no chance to finish or report anything. */
  async killWorker(): Promise<void> {
    await this.worker?.kill();
  }

  /** SIGKILLs the Temporal dev server: a crash, not a shutdown. `restartTemporal` brings it back. */
  async crashTemporal(): Promise<void> {
    await this.temporal.process.kill();
  }

  /** Starts the dev server again on the same SQLite file and port; worker and API reconnect by themselves. */
  async restartTemporal(): Promise<void> {
    if (this.temporal.process.running) throw new Error('the Temporal dev server is still running');
    this.temporal = await startOwnTemporal(this.dir, this.temporalPort);
  }

  /** Resolves once the API answers /healthz with Temporal reachable. */
  async apiHealthy(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.api.running) throw new Error(`the API exited:\n${this.api.tail()}`);
      const healthy = await this.call(null, 'GET', '/healthz').then(
        (response) => response.statusCode === 200,
        () => false,
      );
      if (healthy) return;
      if (Date.now() > deadline) throw new Error(`the API did not become healthy within ${timeoutMs} ms:\n${this.api.tail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The last lines each process printed, for a failing test's message. */
  tails(): string {
    return [this.api, this.worker, this.temporal.process]
      .filter((proc): proc is ManagedProcess => proc !== undefined)
      .map((proc) => `--- ${proc.name}\n${proc.tail(15)}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    await this.api.stop();
    await this.worker?.stop();
    await this.connection.close();
    await this.audit.close();
    await this.temporal.stop();
    await this.proxy.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The API process: the stack's settings and the signing key, which only the API holds. */
function startApi(env: NodeJS.ProcessEnv, onLine: ProcessStackOptions['onLine']): ManagedProcess {
  return ManagedProcess.start('api', process.execPath, [API_ENTRY], {
    env: { ...env, AIRLOCK_IDENTITY_SIGNING_KEY: TEST_IDENTITY_ENTRIES.signing },
    ...(onLine ? { onLine: (line, stream) => onLine('api', line, stream) } : {}),
  });
}

/** The stack's dev server: its SQLite file in `dir`, on `port`, so a restart finds the same state at the same address. */
function startOwnTemporal(dir: string, port: number): Promise<DevServer> {
  return startTemporalDevServer({ dbFile: join(dir, 'temporal.db'), port, headless: true });
}
