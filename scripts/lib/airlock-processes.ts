import { join } from 'node:path';
import { ManagedProcess } from './managed-process';
import { PROJECT_ROOT } from './tools';
import { WORKER_NODE_FLAGS, WORKER_PROCESS_ENV } from '../../workers/worker-sizing';

const DIST = join(PROJECT_ROOT, 'dist');

export interface AirlockProcesses {
  worker: ManagedProcess;
  api: ManagedProcess;
  /** Resolves once the API answers /healthz and the worker polls its task queue; rejects if either exits first. */
  ready: Promise<void>;
  /** API first, so no new request arrives for a worker that is going away; the worker gets time to drain. */
  stop(): Promise<void>;
}

export interface AirlockProcessesOptions {
  /** Everything both read (AIRLOCK_* settings); AIRLOCK_API_PORT must be `apiPort`. */
  env: NodeJS.ProcessEnv;
  apiPort: number;
  onWorkerLine?: ((line: string) => void) | undefined;
  onApiLine?: ((line: string) => void) | undefined;
  ownProcessGroup?: boolean | undefined;
}

/** One Airlock process and when it is ready to serve. */
export interface StartedAirlockProcess {
  process: ManagedProcess;
  /** Resolves once it serves (the API answers /healthz, the worker polls); rejects if it exits first. */
  ready: Promise<void>;
}

export interface AirlockProcessOptions {
  env: NodeJS.ProcessEnv;
  onLine?: ((line: string) => void) | undefined;
  ownProcessGroup?: boolean | undefined;
}

/** The worker from dist/, without the API's signing key. */
export function startAirlockWorker(options: AirlockProcessOptions): StartedAirlockProcess {
  let workerPolling: () => void = () => undefined;
  const polling = new Promise<void>((resolvePolling) => (workerPolling = resolvePolling));
  const worker = ManagedProcess.start('worker', process.execPath, [...WORKER_NODE_FLAGS, join(DIST, 'workers', 'main.js')], {
    env: { ...WORKER_PROCESS_ENV, ...withoutSigningKey(options.env) },
    onLine: (line) => {
      // The worker prints this once it is connected and its pollers run.
      if (line.includes('worker: polling task queue')) workerPolling();
      options.onLine?.(line);
    },
    ownProcessGroup: options.ownProcessGroup,
  });
  const ready = Promise.race([polling, worker.exit.then(() => Promise.reject(new Error(`the worker exited during start:\n${worker.tail()}`)))]);
  return { process: worker, ready };
}

/** The API from dist/ on `apiPort` (which AIRLOCK_API_PORT in env must name). */
export function startAirlockApi(options: AirlockProcessOptions & { apiPort: number }): StartedAirlockProcess {
  const api = ManagedProcess.start('api', process.execPath, [join(DIST, 'api', 'main.js')], {
    env: options.env,
    onLine: options.onLine,
    ownProcessGroup: options.ownProcessGroup,
  });
  return { process: api, ready: waitForHealthy(`http://127.0.0.1:${options.apiPort}/healthz`, api) };
}

/** Starts the worker and the API from dist/ as child processes, as they run in production. */
export function startAirlockProcesses(options: AirlockProcessesOptions): AirlockProcesses {
  const worker = startAirlockWorker({ env: options.env, onLine: options.onWorkerLine, ownProcessGroup: options.ownProcessGroup });
  const api = startAirlockApi({ env: options.env, apiPort: options.apiPort, onLine: options.onApiLine, ownProcessGroup: options.ownProcessGroup });
  return {
    worker: worker.process,
    api: api.process,
    ready: Promise.all([api.ready, worker.ready]).then(() => undefined),
    stop: async () => {
      await api.process.stop();
      await worker.process.stop(30_000);
    },
  };
}

/** The signing key is the API's alone: a worker holds public keys only (and refuses to start with it). */
export function withoutSigningKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { AIRLOCK_IDENTITY_SIGNING_KEY: _key, AIRLOCK_IDENTITY_SIGNING_KEY_FILE: _file, ...rest } = env;
  return rest;
}

async function waitForHealthy(url: string, api: ManagedProcess): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (!api.running) throw new Error(`the API exited during start:\n${api.tail()}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the API did not become healthy at ${url}`);
}
