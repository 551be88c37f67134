import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { WorkflowBundle } from '@temporalio/worker';
import { RefusalCode } from '../../domain/types';
import { fetchHistory } from '../support/history';
import { closedWithoutExecution, executed, observeOutcome, type CopyTarget } from '../support/outcome';
import { reportIteration, scenarioIterations, soakTimeout } from '../support/soak';
import type { HttpResponse } from '../support/http-call';
import { bundleWorkflows, startStack, type Stack } from '../support/stack';
import { putObject, testS3 } from '../support/test-aws';

const POLICY_FILE = join(__dirname, '..', 'fixtures', 'policy-races.yaml');
const ITERATIONS = scenarioIterations(3);
/** Generous per iteration: the machine is shared, and an iteration waits for a real copy in moto. */
const TIMEOUT = soakTimeout(ITERATIONS, 20_000);

/** A racing call as the test saw it: the HTTP status and, when refused, the error code. */
interface Answer {
  status: number;
  code: string | null;
}

const ACCEPTED: Answer = { status: 200, code: null };
const CLOSED: Answer = { status: 409, code: RefusalCode.ActionClosed };

/**
 * Concurrent decisions on one action, through the real API, Temporal dev server and moto: whoever
 * wins, there is exactly one outcome, and the API responses, the action view, the workflow result,
 * the history, the audit trail and the effect in S3 all tell the same one. Each race repeats
 * `scenarioIterations` times on fresh actions (many more under `npm run soak`). The workflow's
 * own side of these races (the validators admitting exactly one last vote, a vote and a cancel
 * around the deadline, the deadline cut-off while the workflow is busy) is tested on the
 * time-skipping server by test/workflow/votes.test.ts and races.test.ts; here the real server
 * decides the tightest interleavings, and the API's answers and records are checked with it.
 */
describe('racing decisions', () => {
  let bundle: WorkflowBundle;
  let stack: Stack;
  const s3 = testS3();
  /** How each race came out over its iterations, printed at the end: both sides should win sometimes. */
  const tally = new Map<string, number>();

  beforeAll(async () => {
    bundle = await bundleWorkflows();
    stack = await startStack(bundle, { policyFile: POLICY_FILE });
  });
  afterAll(async () => {
    await stack?.stop();
    s3.destroy();
    if (tally.size > 0) console.log(`race outcomes over ${ITERATIONS} iterations each: ${[...tally].map(([k, n]) => `${k} ×${n}`).join(', ')}`);
  });

  function count(outcome: string): void {
    tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
  }

  /**
   * Runs `scenario` once per iteration, then checks that the audit chain the racing writers (worker
   * and API) appended to is still whole. A failure names its iteration and carries what the
   * scenario noted (action id, answers, observed outcome), so a rare inconsistency leaves evidence.
   */
  async function iterate(scenario: (iteration: number, note: (facts: object) => void) => Promise<void>): Promise<void> {
    for (let iteration = 0; iteration < ITERATIONS; iteration++) {
      const noted: object[] = [];
      try {
        await scenario(iteration, (facts) => noted.push(facts));
      } catch (err) {
        if (err instanceof Error) {
          err.message = `iteration ${iteration + 1}/${ITERATIONS}: ${err.message}\n\nnoted: ${JSON.stringify(Object.assign({}, ...noted), null, 2)}`;
        }
        throw err;
      }
      reportIteration(iteration + 1, ITERATIONS);
    }
    const chain = await stack.audit.verify();
    expect(chain.ok).toBe(true);
    expect(chain.checked).toBeGreaterThan(0);
  }

  /** A fresh source object, and etl-bot's request to copy it under `prefix/` (which picks the policy rule). */
  async function submitCopy(prefix: string, ruleId: string): Promise<{ id: string; target: CopyTarget }> {
    const sourceKey = `src/${randomUUID()}.csv`;
    await putObject(s3, 'airlock-src', sourceKey, `id\n${randomUUID()}\n`);
    const target = { bucket: 'airlock-exports', key: `${prefix}/${randomUUID()}.csv` };
    const response = await stack.call('etl-bot', 'POST', '/v1/actions', {
      action: 's3.copyObject',
      params: { sourceBucket: 'airlock-src', sourceKey, destinationBucket: target.bucket, destinationKey: target.key },
      justification: 'Concurrency test: decisions racing each other',
    });
    expect({ statusCode: response.statusCode, body: response.json() }).toMatchObject({
      statusCode: 202,
      body: { status: 'pending_review', policy: { ruleId } },
    });
    return { id: response.json().id, target };
  }

  function approve(as: string, id: string): Promise<HttpResponse> {
    return stack.call(as, 'POST', `/v1/actions/${id}/decisions`, { decision: 'approve' });
  }

  function cancel(id: string): Promise<HttpResponse> {
    return stack.call('etl-bot', 'POST', `/v1/actions/${id}/cancel`, { reason: 'race test' });
  }

  function answer(response: HttpResponse): Answer {
    return { status: response.statusCode, code: response.statusCode === 200 ? null : (response.json().error?.code ?? null) };
  }

  /** Who is sent first alternates, so neither reviewer wins only for being first out of the door. */
  function racers(iteration: number): [string, string] {
    return iteration % 2 === 0 ? ['bob', 'carol'] : ['carol', 'bob'];
  }

  /** `iteration` of `ITERATIONS` spread evenly over [from, to]: tries the whole range whatever the count. */
  function spread(iteration: number, from: number, to: number): number {
    return ITERATIONS === 1 ? (from + to) / 2 : from + ((to - from) * iteration) / (ITERATIONS - 1);
  }

  /**
   * True when the workflow took the vote in the same task in which its review timer fired: the
   * tightest form of the deadline race, where the SDK runs the Update before the timed-out wait resumes.
   */
  async function tookVoteAfterTimerFired(id: string): Promise<boolean> {
    const events = (await fetchHistory(stack.client, id)).events ?? [];
    const fired = events.findIndex((event) => event.timerFiredEventAttributes);
    const voted = events.findIndex((event) => event.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest?.input?.name === 'decide');
    return fired >= 0 && voted > fired;
  }

  test(
    'two reviewers casting the last approval at once: one is counted, the other refused, the copy runs once',
    async () => {
      await iterate(async (iteration, note) => {
        const { id, target } = await submitCopy('race-quorum', 'race-quorum-2');
        expect(answer(await approve('alice', id))).toEqual(ACCEPTED);

        const [first, second] = racers(iteration);
        const responses = await Promise.all([approve(first, id), approve(second, id)]);
        const answers = responses.map(answer);
        const outcome = await observeOutcome(stack, s3, id, target);
        note({ id, racers: [first, second], answers, outcome });

        // Exactly one of the two gets the last vote in; if both did, quorum was overrun.
        expect(answers.filter((a) => a.status !== 200)).toEqual([CLOSED]);
        const won = answers[0]?.status === 200 ? 0 : 1;
        const [winner, loser] = won === 0 ? [first, second] : [second, first];
        const accepted = responses[won]?.json();
        expect(['approved', 'executing', 'succeeded']).toContain(accepted.status);
        expect(accepted.review.approvals).toEqual(['alice', winner]);
        expect(outcome).toEqual(executed(['alice', winner], [`${loser}:${RefusalCode.ActionClosed}`]));
        count(`quorum: ${won === 0 ? 'first' : 'second'} sent won`);
      });
    },
    TIMEOUT,
  );

  test(
    'an approval sent at the deadline: either it counts and the copy runs, or it is refused and the action expires',
    async () => {
      await iterate(async (iteration, note) => {
        const { id, target } = await submitCopy('race-deadline', 'race-deadline');
        const view = (await stack.call('bob', 'GET', `/v1/actions/${id}`)).json();
        expect(view.status).toBe('pending_review');
        // From well before to well after the deadline: the workflow's timer starts when its task
        // completes, a little after `deadline`, so the real edge lies somewhere inside this range.
        const offsetMs = Math.round(spread(iteration, -250, 250));
        await sleep(Math.max(0, Date.parse(view.review.deadline) + offsetMs - Date.now()));

        const response = answer(await approve('bob', id));
        const outcome = await observeOutcome(stack, s3, id, target);
        note({ id, deadline: view.review.deadline, offsetMs, response, outcome });

        const sent = offsetMs < 0 ? 'before' : 'at or after';
        if (response.status === 200) {
          expect(outcome).toEqual(executed(['bob']));
          const tightest = (await tookVoteAfterTimerFired(id)) ? ' (in the task where the timer fired)' : '';
          count(`deadline: approval sent ${sent} it won${tightest}`);
        } else {
          expect(response).toEqual(CLOSED);
          expect(outcome).toEqual(closedWithoutExecution('expired', { refused: [`bob:${RefusalCode.ActionClosed}`] }));
          count(`deadline: approval sent ${sent} it lost`);
        }
      });
    },
    TIMEOUT,
  );

  test(
    "the requester's cancel racing a reviewer's approval: exactly one wins, and the action ends as the winner says",
    async () => {
      await iterate(async (iteration, note) => {
        const { id, target } = await submitCopy('race-cancel', 'race-cancel');
        // The cancel route reads the action before it sends its Update, so it starts a step behind;
        // holding back one side or the other by a few milliseconds lets each win in some iterations.
        const leadMs = Math.round(spread(iteration, -40, 40));
        const [cancelled, approved] = await Promise.all([
          sleep(Math.max(0, -leadMs)).then(() => cancel(id)),
          sleep(Math.max(0, leadMs)).then(() => approve('bob', id)),
        ]);
        const answers = { cancel: answer(cancelled), approve: answer(approved) };
        const outcome = await observeOutcome(stack, s3, id, target);
        note({ id, leadMs, answers, outcome });

        if (answers.approve.status === 200) {
          expect(answers.cancel).toEqual({ status: 409, code: RefusalCode.NotCancellable });
          expect(outcome).toEqual(executed(['bob']));
          count('cancel: approval won');
        } else {
          expect(answers).toEqual({ cancel: ACCEPTED, approve: CLOSED });
          expect(outcome).toEqual(closedWithoutExecution('cancelled', { cancelledBy: 'etl-bot', refused: [`bob:${RefusalCode.ActionClosed}`] }));
          count('cancel: cancel won');
        }
      });
    },
    TIMEOUT,
  );
});
