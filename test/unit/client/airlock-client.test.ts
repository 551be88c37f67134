import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AirlockApiError, AirlockClient, isTerminal, TERMINAL_STATUSES, type ActionView } from '../../../client';
import { TERMINAL_STATUSES as SERVER_TERMINAL_STATUSES } from '../../../domain/types';

/** One request as the local API double saw it. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

type Answer = (seen: Seen, response: ServerResponse) => void;

/**
 * The client against a local node:http server that answers as the test scripts it, one answer per
 * request in order (the last one repeats): real HTTP, real fetch, no mocks.
 */
describe('AirlockClient over HTTP', () => {
  let server: Server;
  let baseUrl: string;
  let answers: Answer[];
  let seen: Seen[];

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const one: Seen = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        seen.push(one);
        const answer = answers[Math.min(seen.length, answers.length) - 1];
        if (!answer) throw new Error('no answer scripted');
        answer(one, response);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  beforeEach(() => {
    answers = [];
    seen = [];
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const client = (options: { timeoutMs?: number } = {}): AirlockClient => new AirlockClient({ baseUrl, apiKey: 'alk_test', ...options });
  const request = {
    action: 's3.copyObject',
    params: { sourceBucket: 'a', sourceKey: 'k' },
    justification: 'Finance needs the report',
    context: { ticket: 'FIN-1' },
  };

  describe('request', () => {
    it('retries a 503 with the same Idempotency-Key, so the action is asked for once', async () => {
      answers = [json(503, { error: { code: 'temporal_unavailable', message: 'retry' } }), json(202, view('pending_review'))];
      const created = await client().request(request);
      expect(created.status).toBe('pending_review');
      expect(seen.map((one) => [one.method, one.url])).toEqual([
        ['POST', '/v1/actions'],
        ['POST', '/v1/actions'],
      ]);
      const [first, second] = seen.map((one) => one.headers['idempotency-key']);
      expect(first).toMatch(/^[0-9a-f-]{36}$/);
      expect(second).toBe(first);
      expect(seen[0]?.headers.authorization).toBe('Bearer alk_test');
      // Exactly the API's body fields (api/schemas.ts createActionBody); the key goes in the header.
      expect(JSON.parse(seen[0]?.body ?? '')).toEqual(request);
    });

    it('retries when the connection drops without an answer, with the same key', async () => {
      answers = [(_seen, response) => response.socket?.destroy(), json(202, view('pending_review'))];
      await client().request(request, { idempotencyKey: 'q3-export' });
      expect(seen.map((one) => one.headers['idempotency-key'])).toEqual(['q3-export', 'q3-export']);
    });

    it('retries an attempt that times out, with the same key', async () => {
      answers = [() => undefined, json(202, view('pending_review'))];
      await client({ timeoutMs: 300 }).request(request);
      expect(seen).toHaveLength(2);
      expect(seen[1]?.headers['idempotency-key']).toBe(seen[0]?.headers['idempotency-key']);
    });

    it('gives up after a few attempts, with the last 503', async () => {
      answers = [json(503, { error: { code: 'temporal_unavailable', message: 'Temporal could not be reached' } })];
      const error = await client()
        .request(request)
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(AirlockApiError);
      expect(error).toMatchObject({ status: 503, code: 'temporal_unavailable', message: 'Temporal could not be reached' });
      expect(seen).toHaveLength(4);
      expect(new Set(seen.map((one) => one.headers['idempotency-key'])).size).toBe(1);
    });

    it('raises a refusal at once, with its code and issues', async () => {
      const issues = [{ path: 'body.params.destinationBucket', message: 'Required' }];
      answers = [json(400, { error: { code: 'invalid_params', message: 'params.destinationBucket: Required', issues } })];
      const error = await client()
        .request(request)
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(AirlockApiError);
      expect(error).toMatchObject({ name: 'AirlockApiError', status: 400, code: 'invalid_params', issues });
      expect(seen).toHaveLength(1);
    });

    it("raises an answer that is not the API's as unexpected_response, without retrying it", async () => {
      answers = [(_seen, response) => response.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad gateway</html>')];
      await expect(client().request(request)).rejects.toMatchObject({ status: 502, code: 'unexpected_response' });
      expect(seen).toHaveLength(1);
    });
  });

  describe('waitForOutcome', () => {
    it('long-polls until the action is final, in chunks the per-call timeout allows', async () => {
      answers = [json(200, view('pending_review')), json(200, view('executing')), json(200, view('succeeded'))];
      const done = await client().waitForOutcome('action-s3.copyObject-aaaaaaaaaaaaaaaa', { timeoutSeconds: 120 });
      expect(done.status).toBe('succeeded');
      expect(seen.map((one) => one.url)).toEqual(Array(3).fill('/v1/actions/action-s3.copyObject-aaaaaaaaaaaaaaaa?waitSeconds=25'));
    });

    it('asks for no more than the time left, and returns a pending view as a normal answer', async () => {
      answers = [json(200, view('pending_review'))];
      const last = await client().waitForOutcome('action-s3.copyObject-aaaaaaaaaaaaaaaa', { timeoutSeconds: 2 });
      expect(last.status).toBe('pending_review');
      expect(seen[0]?.url).toMatch(/\?waitSeconds=2$/);
    });

    it('keeps each wait within a short per-call timeout', async () => {
      answers = [json(200, view('succeeded'))];
      await client({ timeoutMs: 20_000 }).waitForOutcome('action-s3.copyObject-aaaaaaaaaaaaaaaa');
      expect(seen[0]?.url).toMatch(/\?waitSeconds=5$/);
    });

    it('with timeoutSeconds 0, reads once without waiting', async () => {
      answers = [json(200, view('pending_review'))];
      await client().waitForOutcome('action-s3.copyObject-aaaaaaaaaaaaaaaa', { timeoutSeconds: 0 });
      expect(seen.map((one) => one.url)).toEqual(['/v1/actions/action-s3.copyObject-aaaaaaaaaaaaaaaa']);
    });

    it('stops when its signal aborts', async () => {
      answers = [() => undefined];
      const stop = new AbortController();
      setTimeout(() => stop.abort(new Error('agent stopped')), 200);
      await expect(client().waitForOutcome('action-s3.copyObject-aaaaaaaaaaaaaaaa', { signal: stop.signal })).rejects.toThrow('agent stopped');
      expect(seen).toHaveLength(1);
    });
  });

  it('cancels with a reason and an Idempotency-Key', async () => {
    answers = [json(200, view('cancelled'))];
    const cancelled = await client().cancel('action-s3.copyObject-aaaaaaaaaaaaaaaa', { reason: 'not needed' });
    expect(cancelled.status).toBe('cancelled');
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/actions/action-s3.copyObject-aaaaaaaaaaaaaaaa/cancel', body: '{"reason":"not needed"}' });
    expect(seen[0]?.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("lists the catalogue's items", async () => {
    const entry = { name: 's3.copyObject', title: 'Copy', description: 'Copies', idempotent: true, paramsSchema: { type: 'object' }, review: 'required' };
    answers = [json(200, { policyHash: 'sha256:0', items: [entry] })];
    expect(await client().listActions()).toEqual([entry]);
    expect(seen[0]?.url).toBe('/v1/catalogue');
  });
});

describe('isTerminal', () => {
  it('knows the final statuses the server knows', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual([...SERVER_TERMINAL_STATUSES].sort());
    expect(isTerminal(view('succeeded'))).toBe(true);
    expect(isTerminal(view('pending_review'))).toBe(false);
  });
});

function json(status: number, body: unknown): Answer {
  return (_seen, response) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A view with only what these tests read; the client passes the body through as it is. */
function view(status: ActionView['status']): ActionView {
  return { id: 'action-s3.copyObject-aaaaaaaaaaaaaaaa', status } as ActionView;
}
