/**
 * An agent asks Airlock for an export and waits for people to decide.
 *
 *   source .airlock/dev-keys.env
 *   AIRLOCK_API_KEY=$AIRLOCK_KEY_ETL_BOT npm run example:export
 *   npm run example:export -- s3://airlock-source/reports/2026-q3.csv s3://airlock-exports/finance/2026-q3.csv
 *
 * Then approve it as a reviewer (README, "One approval, end to end", step 3) and watch it finish.
 * Exit status: 0 succeeded, 1 error, 2 another final status (denied, rejected, …), 3 still pending at the time limit.
 */
import { createHash } from 'node:crypto';
import { AirlockApiError, AirlockClient, isTerminal, type ActionView } from '../client';

const DEFAULT_SOURCE = 's3://airlock-source/reports/2026-q3.csv';
const DEFAULT_DESTINATION = 's3://airlock-exports/finance/2026-q3.csv';

function s3Location(uri: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!match?.[1] || !match[2]) throw new Error(`${uri} is not an s3://bucket/key URI`);
  return { bucket: match[1], key: match[2] };
}

function elapsed(since: number): string {
  return `[${Math.round((Date.now() - since) / 1000)}s]`;
}

/** Who still has to decide, from the action's review section. */
function waitingFor(view: ActionView): string {
  const review = view.review;
  if (!review) return '';
  const names = review.eligibleApprovers.filter((name) => !review.approvals.includes(name));
  const missing = review.quorum - review.approvals.length;
  const either = names.length > 1 ? `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}` : (names[0] ?? 'nobody');
  return `, needs ${missing} approval${missing === 1 ? '' : 's'} from ${either}`;
}

async function main(): Promise<number> {
  const apiKey = process.env.AIRLOCK_API_KEY;
  if (!apiKey) {
    console.error('AIRLOCK_API_KEY is not set: run `source .airlock/dev-keys.env; AIRLOCK_API_KEY=$AIRLOCK_KEY_ETL_BOT npm run example:export`');
    return 1;
  }
  const client = new AirlockClient({ baseUrl: process.env.AIRLOCK_URL ?? 'http://127.0.0.1:8080', apiKey });
  const [sourceUri = DEFAULT_SOURCE, destinationUri = DEFAULT_DESTINATION] = process.argv.slice(2);
  const source = s3Location(sourceUri);
  const destination = s3Location(destinationUri);
  const limitSeconds = Number(process.env.AIRLOCK_EXAMPLE_TIMEOUT_SECONDS ?? 900);

  // Derived from what is asked, so running the script again picks up the same action instead of asking twice.
  const idempotencyKey = `example-export-${createHash('sha256').update(`${sourceUri} ${destinationUri}`).digest('hex').slice(0, 24)}`;
  const started = Date.now();
  let view = await client.request(
    {
      action: 's3.copyObject',
      params: { sourceBucket: source.bucket, sourceKey: source.key, destinationBucket: destination.bucket, destinationKey: destination.key },
      justification: `Example agent: export ${sourceUri} to ${destinationUri} for the finance team`,
      context: { example: 'examples/request-export.ts' },
    },
    { idempotencyKey },
  );
  console.log(
    `requested ${view.id}: ${view.status}${view.policy ? ` (rule ${view.policy.ruleId})` : ''}${view.status === 'pending_review' ? waitingFor(view) : ''}`,
  );

  // Ctrl-C stops waiting; the action itself carries on in Airlock.
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  let last = view.status;
  while (!isTerminal(view) && !stop.signal.aborted) {
    const left = limitSeconds - (Date.now() - started) / 1000;
    if (left <= 0) break;
    try {
      view = await client.waitForOutcome(view.id, { timeoutSeconds: Math.min(30, Math.ceil(left)), signal: stop.signal });
    } catch (err) {
      if (stop.signal.aborted) break;
      throw err;
    }
    console.log(
      `${elapsed(started)} ${view.id} ${view.status === last ? 'still ' : ''}${view.status}${view.status === 'pending_review' ? waitingFor(view) : ''}`,
    );
    last = view.status;
  }

  if (!isTerminal(view)) {
    console.log(`stopped waiting; ${view.id} is ${view.status} and carries on: npm run example:export again (same request) to resume waiting`);
    return 3;
  }
  if (view.status === 'succeeded') {
    const outputs = Object.entries(view.result?.outputs ?? {}).map(([key, value]) => `${key}=${String(value)}`);
    console.log(`succeeded: ${view.result?.summary ?? view.summary}${outputs.length > 0 ? ` (${outputs.join(', ')})` : ''}`);
    return 0;
  }
  const why = view.error?.message ?? view.policy?.reason ?? view.votes.find((vote) => vote.verdict === 'reject')?.comment ?? view.cancellation?.reason;
  console.log(`${view.status}${why ? `: ${why}` : ''}`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof AirlockApiError ? `Airlock refused (${err.status} ${err.code}): ${err.message}` : err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
