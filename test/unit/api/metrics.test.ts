import Fastify, { type FastifyInstance } from 'fastify';
import { ApiError } from '../../../api/errors';
import { installErrorHandling } from '../../../api/errors';
import { ApiMetrics, type PendingCounter } from '../../../api/metrics';
import { answeredOutcome, installMetrics } from '../../../api/routes/metrics';
import { installZodValidation } from '../../../api/zod-validation';
import { parsePrometheusText, samplesOf, sumOf, type Sample } from '../../support/prometheus-text';

const ACTIONS = ['s3.copyObject', 'iam.putRolePolicy'];
const servers: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** An app with the metrics hook and a stand-in for POST /v1/actions that answers as the body asks. */
/** Its base URL: a Fastify instance is itself awaitable, so it is not what an async function can return. */
async function app(options: { pending?: PendingCounter; token?: string } = {}): Promise<{ url: string }> {
  const server = Fastify();
  installErrorHandling(server);
  installZodValidation(server); // as buildApi does: the routes declare zod schemas
  const metrics = new ApiMetrics({ actions: ACTIONS, ...(options.pending ? { pending: options.pending } : {}) });
  installMetrics(server, { metrics, ...(options.token ? { token: options.token } : {}) });
  server.post('/v1/actions', async (request, reply) => {
    const body = request.body as { action: string; answer: string };
    if (body.answer.startsWith('error:')) throw new ApiError(400, body.answer.slice(6), 'refused');
    return reply.status(202).send({ id: 'x', status: body.answer });
  });
  server.post('/v1/other', async () => ({ status: 'pending_review' }));
  // A real port and fetch, as the other route tests here: `inject` cannot load its cookie module under jest.
  servers.push(server);
  const url = await server.listen({ port: 0, host: '127.0.0.1' });
  return { url };
}

async function request(server: { url: string }, method: 'GET' | 'POST', path: string, options: { body?: string; headers?: Record<string, string> } = {}) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  return { statusCode: response.status, headers: response.headers, body: await response.text() };
}

async function scrape(server: { url: string }, headers: Record<string, string> = {}): Promise<Sample[]> {
  const response = await request(server, 'GET', '/metrics', { headers });
  expect(response.statusCode).toBe(200);
  expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
  return parsePrometheusText(response.body);
}

describe('API metrics', () => {
  it('counts each answer to POST /v1/actions by action and outcome, with bounded labels', async () => {
    const server = await app();
    const post = (action: string, answer: string) => request(server, 'POST', '/v1/actions', { body: JSON.stringify({ action, answer }) });
    await post('s3.copyObject', 'pending_review');
    await post('s3.copyObject', 'pending_review');
    await post('iam.putRolePolicy', 'approved');
    await post('iam.putRolePolicy', 'error:invalid_params');
    await post('rm.everything', 'error:unknown_action');
    await post('s3.copyObject', 'NOT A STATUS');
    await request(server, 'POST', '/v1/other', { body: '{}' });
    await request(server, 'POST', '/v1/actions', { body: 'not json' });
    const samples = await scrape(server);
    const count = (action: string, outcome: string) => sumOf(samples, 'airlock_action_requests_total', { action, outcome });
    expect(count('s3.copyObject', 'pending_review')).toBe(2);
    expect(count('iam.putRolePolicy', 'approved')).toBe(1);
    expect(count('iam.putRolePolicy', 'invalid_params')).toBe(1);
    expect(count('unknown', 'unknown_action')).toBe(1);
    expect(count('s3.copyObject', 'other')).toBe(1);
    expect(count('unknown', 'invalid_json')).toBe(1);
    expect(sumOf(samples, 'airlock_action_requests_total')).toBe(7); // not /v1/other
  });

  it('reads the pending gauge at each scrape, and leaves it absent (and counts the error) when visibility fails', async () => {
    let answer: Map<string, number> | Error = new Map([['s3.copyObject', 2]]);
    const server = await app({ pending: () => (answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer)) });
    let samples = await scrape(server);
    expect(samplesOf(samples, 'airlock_actions_pending').map((s) => [s.labels.action, s.value])).toEqual([
      ['s3.copyObject', 2],
      ['iam.putRolePolicy', 0],
    ]);
    answer = new Error('visibility down');
    samples = await scrape(server);
    expect(samplesOf(samples, 'airlock_actions_pending')).toEqual([]);
    expect(sumOf(samples, 'airlock_metrics_collect_errors_total', { series: 'airlock_actions_pending' })).toBe(1);
    answer = new Map();
    samples = await scrape(server);
    expect(sumOf(samples, 'airlock_actions_pending', { action: 's3.copyObject' })).toBe(0);
  });

  it('requires the bearer token when one is set', async () => {
    const token = 'metrics-token-0123456789';
    const server = await app({ token });
    expect((await request(server, 'GET', '/metrics')).statusCode).toBe(401);
    expect((await request(server, 'GET', '/metrics', { headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
    await scrape(server, { authorization: `Bearer ${token}` });
  });

  it('reads the outcome from what was answered', () => {
    expect(answeredOutcome('{"id":"a","status":"evaluating"}', 202)).toBe('evaluating');
    expect(answeredOutcome('{"error":{"code":"rate_limited"}}', 429)).toBe('rate_limited');
    expect(answeredOutcome('{"status":"x"}', 500)).toBe('http_500');
    expect(answeredOutcome(undefined, 503)).toBe('http_503');
  });
});
