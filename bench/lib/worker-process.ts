import { join } from 'node:path';
import { ManagedProcess } from '../../scripts/lib/managed-process';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { WORKER_NODE_FLAGS, WORKER_PROCESS_ENV } from '../../workers/worker-sizing';
import type { AwsSettings } from '../../activities/aws-settings';
import { BENCH_VERIFY_KEYS_ENTRY } from './bench-identity';
import { MEMORY_AFTER_GC_QUERY, MEMORY_PATH, WORKER_ENV, type WorkerMemory } from './worker-protocol';

const WORKER_ENTRY = join(PROJECT_ROOT, 'dist', 'bench', 'workflow-worker.js');

/** A running bench worker child: its memory on demand, its pid, and a way to stop it. */
export interface WorkerProcess {
  pid: number | undefined;
  /** As found, or after a forced GC of the child's main heap (`afterGc`). */
  memory(read?: { afterGc?: boolean }): Promise<WorkerMemory>;
  stop(): Promise<void>;
}

export interface WorkerProcessOptions {
  temporalAddress: string;
  taskQueue: string;
  auditUrl: string;
  bundleFile: string;
  aws: AwsSettings;
  /** More Node flags for the child (the profile benchmark's `--cpu-prof`). */
  nodeArgs?: readonly string[];
}

/** Starts bench/workflow-worker.js and waits until it polls and answers on its memory port. */
export async function startWorkerProcess(options: WorkerProcessOptions, timeoutMs = 60_000): Promise<WorkerProcess> {
  let announced: (port: number) => void = () => undefined;
  const listening = new Promise<number>((resolvePort) => (announced = resolvePort));
  const child = ManagedProcess.start('bench-worker', process.execPath, ['--expose-gc', ...WORKER_NODE_FLAGS, ...(options.nodeArgs ?? []), WORKER_ENTRY], {
    env: {
      ...WORKER_PROCESS_ENV,
      ...process.env,
      [WORKER_ENV.temporalAddress]: options.temporalAddress,
      [WORKER_ENV.taskQueue]: options.taskQueue,
      [WORKER_ENV.auditUrl]: options.auditUrl,
      [WORKER_ENV.bundleFile]: options.bundleFile,
      [WORKER_ENV.aws]: JSON.stringify(options.aws),
      [WORKER_ENV.identityKeys]: BENCH_VERIFY_KEYS_ENTRY,
    },
    onLine: (line) => {
      const port = /^\{"port":(\d+)\}$/.exec(line)?.[1];
      if (port) announced(Number(port));
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the bench worker did not start within ${timeoutMs} ms:\n${child.tail()}`)), timeoutMs);
    void child.exit.then((code) => reject(new Error(`the bench worker exited (${code}):\n${child.tail()}`)));
  });
  try {
    const port = await Promise.race([listening, failed]);
    return {
      pid: child.pid,
      memory: async (read) => {
        const query = read?.afterGc ? `?${MEMORY_AFTER_GC_QUERY}` : '';
        return (await (await fetch(`http://127.0.0.1:${port}${MEMORY_PATH}${query}`)).json()) as WorkerMemory;
      },
      // Shutting down evicts every cached workflow first; give it time before SIGKILL.
      stop: () => child.stop(30_000),
    };
  } catch (err) {
    await child.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
