import type { AwsSettings } from '../../activities/aws-settings';
import { MOTO_BASE_CREDENTIALS, startMotoServer, type MotoServer } from '../../scripts/lib/moto-server';
import { seedAws } from '../../scripts/lib/seed-demo-aws';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';

/** The servers one benchmark run owns: a private in-memory Temporal dev server and moto for STS. */
export interface BenchServers {
  /** host:port of the Temporal frontend. */
  temporalAddress: string;
  /** The dev server's Prometheus metrics. */
  temporalMetricsUrl: string;
  /** What the worker uses to call STS on moto, with the seeded executor role. */
  aws: AwsSettings;
  /** Their process ids, to account for the CPU they use. */
  pids: { temporal: number | undefined; moto: number | undefined };
  /** Where the dev server keeps its state. */
  temporalStore: TemporalStore;
}

export type TemporalStore = 'memory' | 'sqlite-file';

export interface BenchServerOptions {
  /**
   * A SQLite file for the dev server's state, for runs that hold more open workflows than its
   * memory can: in memory, the dev server here grew to 22 GiB of the machine's 23.5 GiB near 78,000
   * pending actions and stalled (2026-12-05). Omitted, it keeps everything in memory.
   */
  temporalDbFile?: string | undefined;
}

const ROLE_NAME = 'airlock-bench-executor';
const REGION = 'us-east-1';

/**
 * Starts both servers on loopback (Temporal headless, in memory unless given a file; moto seeded
 * with the executor role), runs `use`, and stops whatever was started, whether `use` succeeded or not.
 */
export async function withBenchServers<T>(use: (servers: BenchServers) => Promise<T>): Promise<T>;
export async function withBenchServers<T>(options: BenchServerOptions, use: (servers: BenchServers) => Promise<T>): Promise<T>;
export async function withBenchServers<T>(
  ...args: [(servers: BenchServers) => Promise<T>] | [BenchServerOptions, (servers: BenchServers) => Promise<T>]
): Promise<T> {
  const [{ temporalDbFile }, use] = args.length === 1 ? [{}, args[0]] : args;
  const started = await Promise.allSettled([
    startTemporalDevServer({ headless: true, dbFile: temporalDbFile, onLine: () => undefined }),
    startMotoServer({ onLine: () => undefined }),
  ]);
  const [temporal, moto] = started;
  try {
    if (temporal.status === 'rejected') throw temporal.reason;
    if (moto.status === 'rejected') throw moto.reason;
    return await use({
      temporalAddress: temporal.value.address,
      temporalMetricsUrl: temporal.value.metricsUrl,
      aws: await seededAws(moto.value),
      pids: { temporal: temporal.value.process.pid, moto: moto.value.process.pid },
      temporalStore: temporalDbFile ? 'sqlite-file' : 'memory',
    });
  } finally {
    await Promise.all(started.map((server) => (server.status === 'fulfilled' ? server.value.stop() : Promise.resolve())));
  }
}

/** The executor role on moto; its bucket is never touched (bench.noop makes no AWS call). */
async function seededAws(moto: MotoServer): Promise<AwsSettings> {
  const { roleArn } = await seedAws(moto.endpoint, { roleName: ROLE_NAME, buckets: ['airlock-bench'], objects: [], region: REGION });
  return { region: REGION, partition: 'aws', endpoint: moto.endpoint, executorRoleArn: roleArn, baseCredentials: MOTO_BASE_CREDENTIALS };
}
