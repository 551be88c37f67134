import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ListObjectVersionsCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Connection } from '@temporalio/client';
import { openAuditLog } from '../../audit/open-store';
import { loadIdentityVerifyKeys } from '../../config/identity-keys';
import { TERMINAL_STATUSES, type ActionStatus } from '../../domain/types';
import { freePort } from '../../net/free-port';
import { devIdentityKeys } from '../../scripts/lib/dev-identity-keys';
import { readDevKey } from '../../scripts/lib/dev-principals';
import { startLocalCluster, type LocalCluster } from '../../scripts/lib/local-cluster';
import { MOTO_BASE_CREDENTIALS } from '../../scripts/lib/moto-server';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { eventually } from '../support/eventually';
import { fetchHistory } from '../support/history';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy';

/**
 * `npm run test:cluster`: Airlock on a real Temporal cluster (scripts/lib/local-cluster.ts: the
 * server built from its Go module, frontend, two history, two matching and a worker service as
 * separate processes on PostgreSQL; two Airlock workers, two APIs) under load, while one Airlock
 * worker, one API, one history and one matching process are SIGKILLed and restarted.
 *
 * The load is what agents and reviewers do: copies into scratch that run unreviewed, copies into
 * exports that two data owners approve (one through each API), and copies that one rejects. A
 * client retries a call the dead API did not answer on the other API with the same
 * Idempotency-Key, as a client behind a load balancer does.
 *
 * Then every action is in the state its votes say; each copy reached moto exactly once (S3
 * versions of the destination object, and the requests that passed the proxy); every vote that was
 * answered 200 is on the action and in its audit lineage; the audit chain and every signature verify.
 *
 * The worker is killed while one of its copies is held at the proxy (a slow AWS that has the
 * request): the action completes only because Temporal retries the activity on a live worker after
 * the heartbeat timeout, and counts one copy only because the retry finds the change applied.
 */
const AUTO = Number(process.env.AIRLOCK_CLUSTER_TEST_AUTO ?? 24);
const APPROVED = Number(process.env.AIRLOCK_CLUSTER_TEST_APPROVED ?? 12);
const REJECTED = Number(process.env.AIRLOCK_CLUSTER_TEST_REJECTED ?? 4);
/** Requests are spread over this long, so that every fault lands while actions are arriving. */
const LOAD_SPREAD_MS = 40_000;
/** A copy waits this long at the proxy before moto gets it: long enough to kill its worker meanwhile. */
const COPY_DELAY_MS = 1_500;
const FINAL_STATE_DEADLINE_MS = 180_000;
/** A call keeps trying the two APIs (one may be down) for this long. */
const CALL_DEADLINE_MS = 90_000;

type Kind = 'auto' | 'approved' | 'rejected';
interface Planned {
  kind: Kind;
  index: number;
  destination: { bucket: string; key: string };
  idempotencyKey: string;
  id?: string;
  /** Votes the API answered 200 to: each must be on the action and in the trail. */
  accepted: { reviewer: string; decision: 'approve' | 'reject' }[];
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

describe('Airlock on a Temporal cluster, with failures', () => {
  let cluster: LocalCluster;
  let proxy: RecordingProxy;
  let stateDir: string;
  let s3: S3Client;
  const keys = new Map<string, string>();
  /** Every call that was not answered, or answered 5xx, before a retry: what the faults cost clients. */
  const retried: string[] = [];
  const faults: { what: string; killedAt: number; restartMs: number }[] = [];
  const serverLines: string[] = [];
  /** Processes that died without the test killing them: the test fails on any. */
  const unexpectedExits: string[] = [];
  /** The path of the copy worker-1 had in flight when it was killed. */
  let copyOfKilledWorker: string | undefined;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'airlock-cluster-test-'));
    const frontendPort = Number(process.env.AIRLOCK_CLUSTER_TEST_PORT ?? 7633);
    cluster = await startLocalCluster({
      stateDir,
      frontendPort,
      postgresPort: await freePort(),
      apiPorts: [await freePort(), await freePort()],
      policyFile: join(PROJECT_ROOT, 'test', 'cluster', 'policy.yaml'),
      logLevel: 'warn',
      namespace: 'default',
      numHistoryShards: 4,
      // Each worker names itself in its AWS user agent, so the test knows whose copy is in flight.
      airlockEnv: (node) => ({ AWS_SDK_UA_APP_ID: `airlock-worker-${node + 1}` }),
      awsEndpoint: async (motoEndpoint) => {
        proxy = await startRecordingProxy(motoEndpoint);
        proxy.delay((method, url) => method === 'PUT' && url.includes('x-id=CopyObject'), COPY_DELAY_MS);
        return proxy.endpoint;
      },
      onLine: (source, line) => {
        if (!source.startsWith('worker-') && !source.startsWith('api-')) serverLines.push(`[${source}] ${line}`);
      },
      onUnexpectedExit: (name, code, tail) => void unexpectedExits.push(`${name} exited (${code}) without being killed:\n${tail}`),
    });
    for (const id of ['etl-bot', 'alice', 'bob', 'carol', 'admin']) keys.set(id, readDevKey(cluster.principals.keysFile, id));
    s3 = new S3Client({ endpoint: cluster.moto.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: MOTO_BASE_CREDENTIALS });
    // Versioned: a second copy to the same key would leave a second version, which the test counts.
    for (const bucket of ['airlock-scratch', 'airlock-exports']) {
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }
    console.log(`cluster started in ${((cluster.timings.at(-1)?.[1] ?? 0) / 1000).toFixed(1)} s`);
  }, 300_000);

  afterAll(async () => {
    await cluster?.stop();
    await proxy?.stop();
    s3?.destroy();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  }, 120_000);

  /** A call through API `prefer` (0 or 1), moving to the other one while it does not answer or answers 5xx. */
  async function call(
    principal: string,
    method: string,
    path: string,
    body: object | undefined,
    options: { prefer: number; idempotencyKey?: string },
  ): Promise<Answer> {
    const deadline = Date.now() + CALL_DEADLINE_MS;
    for (let attempt = 0; ; attempt++) {
      const node = cluster.airlocks[(options.prefer + attempt) % cluster.airlocks.length];
      if (!node) throw new Error('no Airlock node');
      const where = `${method} ${path} via api-${cluster.airlocks.indexOf(node) + 1}`;
      try {
        const response = await fetch(`http://127.0.0.1:${node.apiPort}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${keys.get(principal)}`,
            ...(body ? { 'content-type': 'application/json' } : {}),
            ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
          },
          body: body ? JSON.stringify(body) : null,
          signal: AbortSignal.timeout(20_000),
        });
        const answer = { status: response.status, body: (await response.json()) as Record<string, unknown> };
        if (answer.status < 500) return answer;
        retried.push(`${where}: ${answer.status} ${String(answer.body.code)}`);
      } catch (err) {
        retried.push(`${where}: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (Date.now() > deadline) throw new Error(`${where}: no answer within ${CALL_DEADLINE_MS / 1000} s; tried: ${retried.slice(-5).join('; ')}`);
      await sleep(300);
    }
  }

  /** One agent request and, for a reviewed one, its votes, each through the API the plan names first. */
  async function run(plan: Planned): Promise<void> {
    const sourceKey = `src/${randomUUID()}.csv`;
    await s3.send(new PutObjectCommand({ Bucket: 'airlock-source', Key: sourceKey, Body: `id\n${plan.index}\n` }));
    const request = {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-source', sourceKey, destinationBucket: plan.destination.bucket, destinationKey: plan.destination.key },
      justification: `Cluster failure test, ${plan.kind} #${plan.index}`,
    };
    const created = await call('etl-bot', 'POST', '/v1/actions', request, { prefer: plan.index % 2, idempotencyKey: plan.idempotencyKey });
    if (created.status !== 202 && created.status !== 200) throw new Error(`POST /v1/actions answered ${created.status}: ${JSON.stringify(created.body)}`);
    plan.id = String(created.body.id);
    if (plan.kind === 'auto') return;
    const voters: ['alice' | 'bob' | 'carol', 'approve' | 'reject'][] =
      plan.kind === 'approved'
        ? [
            ['alice', 'approve'],
            ['bob', 'approve'],
          ]
        : [['carol', 'reject']];
    await Promise.all(
      voters.map(async ([reviewer, decision], position) => {
        const answer = await call(
          reviewer,
          'POST',
          `/v1/actions/${plan.id}/decisions`,
          { decision, comment: 'cluster test' },
          { prefer: (plan.index + position) % 2, idempotencyKey: `${plan.idempotencyKey}-${reviewer}` },
        );
        if (answer.status !== 200) throw new Error(`${reviewer}'s vote on ${plan.id} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
        plan.accepted.push({ reviewer, decision });
      }),
    );
  }

  /** Kills a process, waits `downMs`, starts it again and notes how long it took to serve. */
  async function fault(what: string, kill: () => Promise<void>, restart: () => Promise<void>, downMs: number): Promise<void> {
    const killedAt = Date.now();
    await kill();
    await sleep(downMs);
    const restarting = Date.now();
    await restart();
    faults.push({ what, killedAt, restartMs: Date.now() - restarting });
  }

  /** The faults, one after another, while the load runs. */
  async function chaos(startedAt: number): Promise<void> {
    const [first, second] = cluster.airlocks;
    const history = cluster.servers.get('history-1')?.process;
    const matching = cluster.servers.get('matching-1')?.process;
    if (!first || !second || !history || !matching) throw new Error('the cluster lacks a process the test kills');
    await sleep(4_000);
    // The worker dies while AWS holds one of its copies: Temporal must retry that activity elsewhere.
    // Only a copy that arrives from now on: it is still held when the kill follows (within 100 ms).
    const earlier = proxy.arrivals().length;
    const heldCopy = await eventually(
      () =>
        proxy
          .arrivals()
          .slice(earlier)
          .find((request) => request.url.includes('x-id=CopyObject') && request.userAgent.includes('app/airlock-worker-1')),
      30_000,
    ).catch(() => {
      throw new Error('worker-1 ran no copy within 30 s of load');
    });
    copyOfKilledWorker = heldCopy.url.split('?')[0];
    await fault(
      'Airlock worker-1',
      () => first.worker.kill(),
      () => first.worker.restart(),
      3_000,
    );
    await sleep(2_000);
    await fault(
      'Airlock api-1',
      () => first.api.kill(),
      () => first.api.restart(),
      2_000,
    );
    await sleep(2_000);
    await fault(
      'Temporal history-1',
      () => history.kill(),
      () => history.restart(),
      4_000,
    );
    await sleep(2_000);
    await fault(
      'Temporal matching-1',
      () => matching.kill(),
      () => matching.restart(),
      3_000,
    );
    console.log(`faults done ${((Date.now() - startedAt) / 1000).toFixed(1)} s into the load`);
  }

  async function finalStatus(plan: Planned): Promise<{ status: ActionStatus; votes: { reviewer: string; verdict: string }[] }> {
    const deadline = Date.now() + FINAL_STATE_DEADLINE_MS;
    for (;;) {
      const answer = await call('admin', 'GET', `/v1/actions/${plan.id}`, undefined, { prefer: plan.index % 2 });
      const status = answer.body.status as ActionStatus;
      if (answer.status === 200 && TERMINAL_STATUSES.includes(status)) {
        return { status, votes: (answer.body.votes as { reviewer: string; verdict: string }[] | undefined) ?? [] };
      }
      if (Date.now() > deadline) throw new Error(`${plan.id} (${plan.kind}) still ${status} after ${FINAL_STATE_DEADLINE_MS / 1000} s`);
      await sleep(1_000);
    }
  }

  it('ends every action as its votes say, copies each once, loses no vote, and keeps the audit chain whole', async () => {
    const kinds: Kind[] = [...Array<Kind>(AUTO).fill('auto'), ...Array<Kind>(APPROVED).fill('approved'), ...Array<Kind>(REJECTED).fill('rejected')];
    // Interleaved, so each kind arrives before, during and after the faults.
    const plans: Planned[] = kinds
      .map((kind, index) => ({ kind, order: (index * 7919) % kinds.length }))
      .sort((a, b) => a.order - b.order)
      .map(({ kind }, index) => ({
        kind,
        index,
        destination: { bucket: kind === 'auto' ? 'airlock-scratch' : 'airlock-exports', key: `cluster-test/${kind}/${randomUUID()}.csv` },
        idempotencyKey: `cluster-test-${randomUUID()}`,
        accepted: [],
      }));
    const startedAt = Date.now();
    const load = Promise.all(
      plans.map(async (plan) => {
        await sleep((plan.index * LOAD_SPREAD_MS) / plans.length);
        await run(plan);
      }),
    );
    await Promise.all([load, chaos(startedAt)]);
    const outcomes = await Promise.all(plans.map(async (plan) => ({ plan, ...(await finalStatus(plan)) })));
    const settledMs = Date.now() - startedAt;

    // Every action as its votes say.
    const expectedStatus = { auto: 'succeeded', approved: 'succeeded', rejected: 'rejected' } as const;
    expect(outcomes.map(({ plan, status }) => `${plan.kind} ${status}`)).toEqual(plans.map((plan) => `${plan.kind} ${expectedStatus[plan.kind]}`));

    // Every vote answered 200 is on the action; no vote appears that was not cast.
    for (const { plan, votes } of outcomes) {
      const cast = plan.accepted.map(({ reviewer, decision }) => `${reviewer}:${decision}`).sort();
      expect({ id: plan.id, votes: votes.map(({ reviewer, verdict }) => `${reviewer}:${verdict}`).sort() }).toEqual({ id: plan.id, votes: cast });
    }

    // Each copy reached moto once: one version of each destination object, one CopyObject past the proxy.
    const copies = proxy.exchanges().filter((exchange) => exchange.method === 'PUT' && exchange.url.includes('x-id=CopyObject'));
    for (const plan of plans) {
      const listed = await s3.send(new ListObjectVersionsCommand({ Bucket: plan.destination.bucket, Prefix: plan.destination.key }));
      const versions = (listed.Versions ?? []).filter((version) => version.Key === plan.destination.key).length;
      const requests = copies.filter((exchange) => exchange.url.split('?')[0] === `/${plan.destination.bucket}/${plan.destination.key}`).length;
      const once = plan.kind === 'rejected' ? 0 : 1;
      expect({ id: plan.id, versions, requests }).toEqual({ id: plan.id, versions: once, requests: once });
    }

    // The trail: one vote.recorded per accepted vote, one operation.succeeded per copy, chain and signatures whole.
    const audit = await openAuditLog(cluster.postgres.auditUrl);
    try {
      for (const { plan } of outcomes) {
        const lineage = await audit.lineage(String(plan.id));
        const recorded = lineage.filter((event) => event.kind === 'vote.recorded').map((event) => event.actor);
        expect({ id: plan.id, recorded: recorded.sort() }).toEqual({ id: plan.id, recorded: plan.accepted.map(({ reviewer }) => reviewer).sort() });
        const succeeded = lineage.filter((event) => event.kind === 'operation.succeeded').length;
        expect({ id: plan.id, succeeded }).toEqual({ id: plan.id, succeeded: plan.kind === 'rejected' ? 0 : 1 });
      }
      const identityKeys = loadIdentityVerifyKeys(devIdentityKeys(stateDir).env);
      const report = await audit.verify({ identityKeys });
      expect(report.ok).toBe(true);
    } finally {
      await audit.close();
    }

    // The fault the test is about happened: the copy worker-1 had in flight ran again, on a live worker.
    const killedMidCopy = plans.find((plan) => `/${plan.destination.bucket}/${plan.destination.key}` === copyOfKilledWorker);
    if (!killedMidCopy?.id) throw new Error(`no action copies to ${copyOfKilledWorker}`);
    const connection = await Connection.connect({ address: cluster.address });
    try {
      const history = await fetchHistory(new Client({ connection, namespace: 'default' }), killedMidCopy.id);
      const executions = (history.events ?? []).flatMap((event) => {
        const started = event.activityTaskStartedEventAttributes;
        return started ? [{ attempt: started.attempt ?? 0, identity: started.identity ?? '' }] : [];
      });
      console.log(`${killedMidCopy.id}: executions ${JSON.stringify(executions)}`);
      expect(executions).toHaveLength(1);
      expect(executions[0]?.attempt).toBeGreaterThanOrEqual(2);
    } finally {
      await connection.close();
    }
    expect(unexpectedExits).toEqual([]);

    console.log(
      [
        `${plans.length} actions (${AUTO} auto-allowed, ${APPROVED} approved by two, ${REJECTED} rejected) settled ${(settledMs / 1000).toFixed(1)} s after the load began`,
        ...faults.map(
          ({ what, restartMs }) =>
            `  ${what}: SIGKILL, ${what.startsWith('Temporal') ? 'listening' : 'serving'} again ${(restartMs / 1000).toFixed(1)} s after its restart`,
        ),
        `  the copy in flight on the killed worker: ${killedMidCopy.id}, run again on a live worker`,
        `  calls retried by clients: ${retried.length}${retried.length ? ` (e.g. ${retried.slice(0, 3).join('; ')})` : ''}`,
      ].join('\n'),
    );
  }, 600_000);
});
