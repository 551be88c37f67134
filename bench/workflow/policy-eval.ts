import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { evaluatePolicy, loadPolicyFile, type EvaluationRequest } from '../../policy';
import { PROJECT_ROOT } from '../../scripts/lib/tools';

/** One kind of request and what evaluating it costs. */
export interface PolicyEvalResult {
  request: string;
  /** The rule that decided (checked, so each row really exercises what it says). */
  ruleId: string;
  effect: string;
  iterations: number;
  microsPerEvaluation: number;
}

export const EXAMPLE_POLICY_FILE = join(PROJECT_ROOT, 'config', 'example-policy.yaml');

const requester = { id: 'etl-bot', source: 'api' };
const copy = (destinationBucket: string) => ({
  action: 's3.copyObject',
  params: { sourceBucket: 'airlock-source', sourceKey: 'reports/2026-q3.csv', destinationBucket, destinationKey: 'finance/2026-q3.csv' },
  requester,
});

/** A request for every path through config/example-policy.yaml: first rule, second, last, none. */
const REQUESTS: { request: string; expectRule: string; input: EvaluationRequest }[] = [
  { request: 'copy to an unlisted bucket', expectRule: 'deny-unlisted-destinations', input: copy('somewhere-else') },
  { request: 'copy to airlock-scratch', expectRule: 'auto-allow-scratch', input: copy('airlock-scratch') },
  { request: 'copy to airlock-exports', expectRule: 'review-exports', input: copy('airlock-exports') },
  {
    request: 'an action no rule names',
    expectRule: 'default',
    input: { action: 'ec2.runInstances', params: { instanceType: 't3.micro', count: 1 }, requester },
  },
];

const WARMUP = 20_000;

/**
 * The pure `evaluatePolicy` (policy/evaluate.ts) on the example policy, in this process: per
 * request kind, `iterations` evaluations after a warm-up (which also compiles the policy once, as
 * the first request of a worker does), timed as one loop.
 */
export function measurePolicyEvaluation(iterations: number): PolicyEvalResult[] {
  const policy = loadPolicyFile(EXAMPLE_POLICY_FILE);
  return REQUESTS.map(({ request, expectRule, input }) => {
    const decision = evaluatePolicy(policy, input);
    if (decision.ruleId !== expectRule) throw new Error(`${request}: decided by ${decision.ruleId}, expected ${expectRule}`);
    let sink = 0; // uses every result, so the loop cannot be optimized away
    for (let i = 0; i < WARMUP; i += 1) sink += evaluatePolicy(policy, input).reason.length;
    const started = performance.now();
    for (let i = 0; i < iterations; i += 1) sink += evaluatePolicy(policy, input).reason.length;
    const elapsedMs = performance.now() - started;
    if (sink === 0) throw new Error('no decisions');
    return { request, ruleId: decision.ruleId, effect: decision.effect, iterations, microsPerEvaluation: (elapsedMs * 1000) / iterations };
  });
}
