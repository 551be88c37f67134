import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionState } from '../../domain/types';
import { RefusalCode } from '../../domain/types';
import { eventually } from '../support/eventually';
import { fetchHistory, workflowTaskTrouble } from '../support/history';
import type { HttpResponse } from '../support/http-call';
import { closedWithoutExecution, executed, observeOutcome, type CopyTarget, type Outcome } from '../support/outcome';
import { ProcessStack } from '../support/process-stack';
import { reportIteration, scenarioIterations, soakTimeout } from '../support/soak';
import { putObject, testS3 } from '../support/test-aws';

const ITERATIONS = scenarioIterations(1);
/**
 * After a worker crash, a vote on an action the dead worker had cached waits on that worker's
 * sticky queue for AIRLOCK_WORKER_STICKY_TIMEOUT (1 s), then the new worker replays the action:
 * answered this soon after the new worker polls (about 1.1 s here). At the SDK's default of 10 s,
 * votes came 7 to 10 s after it. A vote handed to the worker as it died waits for the workflow task
 * timeout from the crash (3 s, AIRLOCK_WORKFLOW_TASK_TIMEOUT; lost-workflow-task.test.ts): with the
 * SDK's 10 s, `npm run soak` saw it answered 7.5 s after the new worker polled, once in 20 to 50.
 */
const VOTE_AFTER_RESTART_MS = 2000;
/** An iteration waits for processes to restart and, after a crash mid-operation, for the heartbeat timeout. */
const TIMEOUT = soakTimeout(ITERATIONS, 60_000);

/**
 * Faults on Airlock as it runs in production: the worker and the API are separate OS processes,
 * and the Temporal dev server keeps its state in a SQLite file. The worker is SIGKILLed while
 * actions wait for review and while an operation is in flight at AWS; the dev server itself is
 * SIGKILLed and restarted on the same file with actions pending. After recovery every action ends
 * as its votes say, in the API, the workflow result, the history, the audit trail and S3 alike; no
 * vote accepted before or during a fault is lost; no copy reaches moto twice. Each scenario repeats
 * `scenarioIterations` times (many more under `npm run soak`).
 */
describe('fault recovery with real processes', () => {
  let stack: ProcessStack;
  const s3 = testS3();

  beforeAll(async () => {
    stack = await ProcessStack.start();
  }, 120_000);
  /** The vote sent during each crash: how long after the new worker polled it was answered, and whether its task was lost with the dead worker. */
  const votesDuringCrash: { msAfterPolling: number; lostTask: boolean }[] = [];
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
    if (votesDuringCrash.length > 0) console.log(describeVotesDuringCrash(votesDuringCrash));
  });

  /** Runs `scenario` per iteration; a failure names its iteration, what it noted and the processes' last words. */
  async function iterate(scenario: (note: (facts: object) => void) => Promise<void>): Promise<void> {
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const noted: object[] = [];
      try {
        if (!stack.worker?.running) await stack.startWorker();
        await scenario((facts) => noted.push(facts));
      } catch (err) {
        if (err instanceof Error) {
          err.message = `iteration ${iteration + 1}/${ITERATIONS}: ${err.message}\n\nnoted: ${JSON.stringify(Object.assign({}, ...noted), null, 2)}\n\n${stack.tails()}`;
        }
        throw err;
      }
      reportIteration(iteration + 1, ITERATIONS);
    }
    const chain = await stack.audit.verify();
    expect(chain.ok).toBe(true);
    expect(chain.checked).toBeGreaterThan(0);
  }

  /** A fresh source object, and the body of a request to copy it to `prefix/…` (the prefix picks the policy rule). */
  async function copyRequestBody(prefix: string): Promise<{ body: object; target: CopyTarget }> {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${randomUUID()}\n`);
    const target = { bucket: 'airlock-exports', key: `${prefix}/${randomUUID()}.csv` };
    const body = {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: target.bucket, destinationKey: target.key },
      justification: 'Fault test: the action must survive a crash',
    };
    return { body, target };
  }

  /** etl-bot asks to copy a fresh object to `prefix/…`; the action waits for review under `ruleId`. */
  async function submitCopy(prefix: string, ruleId: string): Promise<{ id: string; target: CopyTarget }> {
    const { body, target } = await copyRequestBody(prefix);
    const id = await submitUntilPending(body);
    const view = (await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json();
    expect(view.policy?.ruleId).toBe(ruleId);
    return { id, target };
  }

  /**
   * Submits as a client must after an outage: `202 evaluating` (no worker answered within the
   * admission timeout, e.g. while a restarted worker's pollers back off) is followed by polling
   * until the action waits for review. Returns its id.
   */
  async function submitUntilPending(body: object, idempotencyKey: string = randomUUID()): Promise<string> {
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', body, { 'idempotency-key': idempotencyKey });
    expect({ statusCode: response.statusCode, status: response.json().status }).toEqual({
      statusCode: 202,
      status: expect.stringMatching(/^(pending_review|evaluating)$/),
    });
    const id: string = response.json().id;
    await eventually(async () => (await stack.call('etl-bot', 'GET', `/v1/actions/${id}`)).json().status === 'pending_review', 60_000);
    return id;
  }

  function vote(as: string, id: string, decision: 'approve' | 'reject', idempotencyKey: string = randomUUID()): Promise<HttpResponse> {
    const body = decision === 'approve' ? { decision } : { decision, comment: 'fault test: not this one' };
    return stack.call(as, 'POST', `/v1/actions/${id}/decisions`, body, { 'idempotency-key': idempotencyKey });
  }

  /**
   * A call as a well-behaved client makes it: a 503 (no worker, or no Temporal, answered in time)
   * is retried with the same Idempotency-Key until it is answered. Returns the answer and how many
   * 503s came first.
   */
  async function untilAnswered(send: (idempotencyKey: string) => Promise<HttpResponse>): Promise<{ response: HttpResponse; unavailable: number }> {
    const key = randomUUID();
    for (let unavailable = 0; ; unavailable++) {
      const response = await send(key);
      if (response.statusCode !== 503 || unavailable >= 10) return { response, unavailable };
    }
  }

  function voteUntilAnswered(as: string, id: string, decision: 'approve' | 'reject'): Promise<{ response: HttpResponse; unavailable: number }> {
    return untilAnswered((key) => vote(as, id, decision, key));
  }

  function status(response: HttpResponse): { statusCode: number; code: string | null } {
    return { statusCode: response.statusCode, code: response.statusCode < 300 ? null : (response.json().error?.code ?? null) };
  }

  const ACCEPTED = { statusCode: 200, code: null };
  const UNAVAILABLE = { statusCode: 503, code: 'temporal_unavailable' };

  /** `pending`'s value and when it came (performance.now()). */
  async function stamped<T>(pending: Promise<T>): Promise<T & { at: number }> {
    const value = await pending;
    return { ...value, at: performance.now() };
  }

  async function outcomeOf(action: { id: string; target: CopyTarget }): Promise<Outcome> {
    return observeOutcome(stack, s3, action.id, action.target);
  }

  test(
    'the worker SIGKILLed while actions wait for review: votes before, during and after the crash all count once',
    async () => {
      await iterate(async (note) => {
        const approvedAcross = await submitCopy('quorum-2', 'review-two-owners');
        const rejectedAfter = await submitCopy('faults', 'review-exports');
        const approvedAfter = await submitCopy('quorum-2', 'review-two-owners');
        note({ ids: [approvedAcross.id, rejectedAfter.id, approvedAfter.id] });
        expect(status(await vote('alice', approvedAcross.id, 'approve'))).toEqual(ACCEPTED);
        expect(status(await vote('alice', approvedAfter.id, 'approve'))).toEqual(ACCEPTED);

        await stack.killWorker();
        // Bob's vote leaves while no worker runs: it waits in Temporal for the next worker (or is
        // answered 503 and retried with the same key, which Temporal deduplicates).
        const inFlight = stamped(voteUntilAnswered('bob', approvedAcross.id, 'approve'));
        await sleep(300);
        await stack.startWorker();
        const polling = performance.now();
        // Carol votes as soon as the new worker polls, on actions the dead worker had cached.
        const [during, rejected, approved] = await Promise.all([
          inFlight,
          stamped(voteUntilAnswered('carol', rejectedAfter.id, 'reject')),
          stamped(voteUntilAnswered('carol', approvedAfter.id, 'approve')),
        ]);
        const afterPolling = (answer: { response: HttpResponse; unavailable: number; at: number }) => ({
          ...status(answer.response),
          unavailable: answer.unavailable,
          msAfterPolling: Math.round(answer.at - polling),
        });
        const taskTrouble = workflowTaskTrouble(await fetchHistory(stack.client, approvedAcross.id));
        const duringCrash = afterPolling(during);
        note({
          duringCrash,
          afterRestart: [afterPolling(rejected), afterPolling(approved)],
          polling: new Date(Date.now() - (performance.now() - polling)).toISOString(),
          taskTrouble,
        });
        votesDuringCrash.push({
          msAfterPolling: duringCrash.msAfterPolling,
          lostTask: taskTrouble.some((task) => task.outcome === 'timed out: TIMEOUT_TYPE_START_TO_CLOSE'),
        });
        for (const answer of [during, rejected, approved]) {
          expect(status(answer.response)).toEqual(ACCEPTED);
          expect(answer.at - polling).toBeLessThanOrEqual(VOTE_AFTER_RESTART_MS);
        }

        expect(await outcomeOf(approvedAcross)).toEqual(executed(['alice', 'bob']));
        expect(await outcomeOf(rejectedAfter)).toEqual(closedWithoutExecution('rejected', { votes: ['carol'] }));
        expect(await outcomeOf(approvedAfter)).toEqual(executed(['alice', 'carol']));
      });
    },
    TIMEOUT,
  );

  test(
    'the worker SIGKILLed while its copies are in flight at AWS: the retry finds them done and copies nothing twice',
    async () => {
      await iterate(async (note) => {
        const run = randomUUID();
        const actions = [await submitCopy(`faults/${run}`, 'review-exports'), await submitCopy(`faults/${run}`, 'review-exports')];
        note({ ids: actions.map((action) => action.id) });
        const isCopy = (method: string, url: string): boolean => method === 'PUT' && url.includes('x-id=CopyObject') && url.includes(run);
        // AWS is slow to answer: the copies are held at the proxy, then reach moto whether or not the worker is still there.
        stack.proxy.delay(isCopy, 1500);
        for (const action of actions) expect(status(await vote('bob', action.id, 'approve'))).toEqual(ACCEPTED);

        await eventually(() => stack.proxy.arrivals().filter((request) => isCopy(request.method, request.url)).length === actions.length, 30_000);
        await stack.killWorker();
        await stack.startWorker();

        for (const action of actions) {
          const outcome = await outcomeOf(action);
          const result = await stack.client.workflow.getHandle<() => Promise<ActionState>>(action.id).result();
          const purposes = (await stack.audit.lineage(action.id)).filter((event) => event.kind === 'credential.issued').map((event) => event.data.purpose);
          note({ [action.id]: { outcome, outputs: result.result?.outputs, purposes } });
          expect(outcome).toEqual(executed(['bob']));
          // The killed attempt's copy landed; the retry read it back under a read-only session instead of copying again.
          expect(result.result?.outputs.alreadyApplied).toBe(true);
          expect(purposes).toEqual(['preview', 'execute', 'recheck']);
        }
      });
    },
    TIMEOUT,
  );

  test(
    'the Temporal dev server SIGKILLed and restarted on its SQLite file: pending actions, votes and deadlines survive',
    async () => {
      await iterate(async (note) => {
        const halfApproved = await submitCopy('quorum-2', 'review-two-owners');
        const pending = await submitCopy('faults', 'review-exports');
        const expiring = await submitCopy('expire-fast', 'review-fast-expiry');
        note({ ids: [halfApproved.id, pending.id, expiring.id] });
        expect(status(await vote('alice', halfApproved.id, 'approve'))).toEqual(ACCEPTED);
        const expiringDeadline: string = (await stack.call('bob', 'GET', `/v1/actions/${expiring.id}`)).json().review.deadline;

        await stack.crashTemporal();
        // While Temporal is down, a vote, a read and a new request are each answered 503
        // temporal_unavailable once the client gives up retrying, and none of them leaves a trace.
        const lateRequest = { key: randomUUID(), ...(await copyRequestBody('faults')) };
        const [refusedVote, refusedRead, refusedSubmit] = await Promise.all([
          vote('bob', pending.id, 'approve'),
          stack.call('bob', 'GET', `/v1/actions/${pending.id}`),
          stack.call('etl-bot', 'POST', '/v1/actions', lateRequest.body, { 'idempotency-key': lateRequest.key }),
        ]);
        note({ whileDown: [refusedVote, refusedRead, refusedSubmit].map(status) });
        for (const refused of [refusedVote, refusedRead, refusedSubmit]) expect(status(refused)).toEqual(UNAVAILABLE);
        expect((await stack.call(null, 'GET', '/healthz')).statusCode).toBe(503);
        // The expiring action's deadline passes while the server is down.
        await sleep(Math.max(0, Date.parse(expiringDeadline) + 500 - Date.now()));
        await stack.restartTemporal();
        await stack.apiHealthy();

        expect(status((await voteUntilAnswered('bob', halfApproved.id, 'approve')).response)).toEqual(ACCEPTED);
        expect(status((await voteUntilAnswered('bob', pending.id, 'approve')).response)).toEqual(ACCEPTED);
        // The request refused while down is made now, with the same key, once; its requester cancels it.
        const retriedId = await submitUntilPending(lateRequest.body, lateRequest.key);
        const cancelled = await untilAnswered((key) =>
          stack.call('etl-bot', 'POST', `/v1/actions/${retriedId}/cancel`, { reason: 'fault test' }, { 'idempotency-key': key }),
        );
        expect(status(cancelled.response)).toEqual(ACCEPTED);

        expect(await outcomeOf(halfApproved)).toEqual(executed(['alice', 'bob']));
        expect(await outcomeOf(pending)).toEqual(executed(['bob']));
        expect(await outcomeOf(expiring)).toEqual(closedWithoutExecution('expired'));
        expect(await outcomeOf({ id: retriedId, target: lateRequest.target })).toEqual(closedWithoutExecution('cancelled', { cancelledBy: 'etl-bot' }));
        const late = await vote('carol', expiring.id, 'approve');
        expect(status(late)).toEqual({ statusCode: 409, code: RefusalCode.ActionClosed });
      });
    },
    TIMEOUT,
  );
});

/** One line for the run's log: how the votes sent during the crashes fared, those whose task was lost with the dead worker apart. */
function describeVotesDuringCrash(votes: { msAfterPolling: number; lostTask: boolean }[]): string {
  const range = (ms: number[]): string => (ms.length === 0 ? 'none' : `${Math.min(...ms)}–${Math.max(...ms)} ms`);
  const lost = votes.filter((vote) => vote.lostTask).map((vote) => vote.msAfterPolling);
  const kept = votes.filter((vote) => !vote.lostTask).map((vote) => vote.msAfterPolling);
  return (
    `votes sent during ${votes.length} worker crashes, answered after the new worker polled: ${range(kept)}; ` +
    `${lost.length} whose task was lost with the dead worker (workflow task timeout): ${range(lost)}`
  );
}
