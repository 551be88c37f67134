import { ManagedProcess, waitForPort } from './managed-process';
import { freePort } from '../../net/free-port';
import { toolPaths } from './tools';

export interface MotoServer {
  /** e.g. http://127.0.0.1:5123 — use as the AWS SDK `endpoint`. */
  endpoint: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/** Static credentials moto accepts; they grant nothing anywhere else. */
export const MOTO_BASE_CREDENTIALS = { accessKeyId: 'moto-base-key', secretAccessKey: 'moto-base-secret' } as const;

/** The environment a worker needs to run operations against moto: endpoint, executor role, base credentials. */
export function motoWorkerEnv(endpoint: string, executorRoleArn: string): NodeJS.ProcessEnv {
  return {
    AIRLOCK_AWS_ENDPOINT: endpoint,
    AIRLOCK_EXECUTOR_ROLE_ARN: executorRoleArn,
    AWS_ACCESS_KEY_ID: MOTO_BASE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: MOTO_BASE_CREDENTIALS.secretAccessKey,
  };
}

/** Starts a local moto server (AWS-compatible API) on a free loopback port. */
export async function startMotoServer(
  options: { port?: number | undefined; onLine?: ((line: string) => void) | undefined; ownProcessGroup?: boolean | undefined } = {},
): Promise<MotoServer> {
  const { motoServer } = toolPaths();
  const port = options.port ?? (await freePort());
  const proc = ManagedProcess.start('moto', motoServer, ['-H', '127.0.0.1', '-p', String(port)], {
    onLine: options.onLine,
    ownProcessGroup: options.ownProcessGroup,
    env: { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
  });
  await waitForPort(proc, '127.0.0.1', port, 30_000);
  return { endpoint: `http://127.0.0.1:${port}`, process: proc, stop: () => proc.stop() };
}
