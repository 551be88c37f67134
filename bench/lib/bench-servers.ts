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
}

const ROLE_NAME = 'airlock-bench-executor';
const REGION = 'us-east-1';

/**
 * Starts both servers on loopback (Temporal in memory, headless; moto seeded with the executor
 * role), runs `use`, and stops whatever was started, whether `use` succeeded or not.
 */
export async function withBenchServers<T>(use: (servers: BenchServers) => Promise<T>): Promise<T> {
  const started = await Promise.allSettled([startTemporalDevServer({ headless: true, onLine: () => undefined }), startMotoServer({ onLine: () => undefined })]);
  const [temporal, moto] = started;
  try {
    if (temporal.status === 'rejected') throw temporal.reason;
    if (moto.status === 'rejected') throw moto.reason;
    return await use({
      temporalAddress: temporal.value.address,
      temporalMetricsUrl: temporal.value.metricsUrl,
      aws: await seededAws(moto.value),
      pids: { temporal: temporal.value.process.pid, moto: moto.value.process.pid },
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
