import { readFileSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { httpErrorOf } from '../../../api/domain-error-http';
import { installErrorHandling } from '../../../api/errors';
import { DomainErrorCode, IdempotencyKeyReusedError, InvalidInputError, type DomainError } from '../../../domain/errors';
import { RefusalCode } from '../../../domain/types';
import { ALL_DOMAIN_ERROR_CODES, oneOfEachDomainError } from '../../support/domain-errors';

/** The status each code had when ActionsService still threw ApiErrors: bodies and statuses stay as they were. */
const EXPECTED_STATUS: Record<string, number> = {
  [RefusalCode.SelfApproval]: 409,
  [RefusalCode.NotAnApprover]: 403,
  [RefusalCode.StepUpRequired]: 403,
  [RefusalCode.AlreadyVoted]: 409,
  [RefusalCode.ActionClosed]: 409,
  [RefusalCode.NotPendingReview]: 409,
  [RefusalCode.NotCancellable]: 409,
  [RefusalCode.CommentRequired]: 400,
  [RefusalCode.IdentityUnverified]: 500,
  [DomainErrorCode.ActionNotFound]: 404,
  [DomainErrorCode.UnknownAction]: 400,
  [DomainErrorCode.InvalidParams]: 400,
  [DomainErrorCode.InvalidRequest]: 400,
  [DomainErrorCode.IdempotencyKeyReused]: 409,
  [DomainErrorCode.TemporalUnavailable]: 503,
  [DomainErrorCode.WorkerUnavailable]: 503,
  [DomainErrorCode.AuditUnavailable]: 503,
};

describe('domain errors at the HTTP edge', () => {
  const errors = oneOfEachDomainError();

  it('has a case for every domain error code', () => {
    expect([...new Set(errors.map((err) => err.code))].sort()).toEqual(ALL_DOMAIN_ERROR_CODES);
    expect(Object.keys(EXPECTED_STATUS).sort()).toEqual(ALL_DOMAIN_ERROR_CODES);
  });

  it.each(errors.map((err) => [err.name, err.code, err] as const))('answers %s (%s) with its status and { error: { code, message } }', (_name, code, err) => {
    const { status, body } = httpErrorOf(err);
    expect(status).toBe(EXPECTED_STATUS[code]);
    expect(body).toEqual({ error: { code, message: err.message, ...(err instanceof InvalidInputError ? { issues: err.issues } : {}) } });
  });

  it('lists every issue of invalid input, and its message joins them', () => {
    const { body } = httpErrorOf(
      new InvalidInputError(DomainErrorCode.InvalidParams, [
        { path: 'params.sourceKey', message: 'must not contain "*"' },
        { path: 'params.destinationBucket', message: 'too short' },
      ]),
    );
    expect(body).toEqual({
      error: {
        code: 'invalid_params',
        message: 'params.sourceKey: must not contain "*"; params.destinationBucket: too short',
        issues: [
          { path: 'params.sourceKey', message: 'must not contain "*"' },
          { path: 'params.destinationBucket', message: 'too short' },
        ],
      },
    });
  });

  it('keeps the messages clients have always read for a reused Idempotency-Key', () => {
    expect(new IdempotencyKeyReusedError('request').message).toBe('this Idempotency-Key was already used for a different request');
    expect(new IdempotencyKeyReusedError('decision').message).toBe('this Idempotency-Key was already used for a different decision; that decision stands');
    expect(new IdempotencyKeyReusedError('cancel').message).toBe('this Idempotency-Key was already used for a different cancel; that cancel stands');
  });

  it('agrees with the Errors table of docs/api.md', () => {
    const table = errorsTable(readFileSync(path.join(__dirname, '../../../docs/api.md'), 'utf8'));
    for (const err of errors) expect({ code: err.code, status: table.get(err.code) }).toEqual({ code: err.code, status: httpErrorOf(err).status });
  });
});

describe('the central error handler', () => {
  let app: FastifyInstance;
  let url: string;
  let thrown: DomainError;
  beforeAll(async () => {
    app = Fastify({ logger: false });
    installErrorHandling(app);
    app.get('/throws', async () => {
      throw thrown;
    });
    // A real port and fetch: `inject` cannot load its cookie module under jest.
    url = `${await app.listen({ port: 0, host: '127.0.0.1' })}/throws`;
  });
  afterAll(() => app.close());

  it.each(oneOfEachDomainError().map((err) => [err.code, err] as const))('sends %s as httpErrorOf says', async (_code, err) => {
    thrown = err;
    const response = await fetch(url);
    const expected = httpErrorOf(err);
    expect({ status: response.status, body: await response.json() }).toEqual(expected);
  });
});

/** `code → status` from the markdown table under "## Errors" (`| 409 | \`self_approval\`, … |`). */
function errorsTable(markdown: string): Map<string, number> {
  const section = markdown.slice(markdown.indexOf('## Errors'));
  const table = new Map<string, number>();
  for (const row of section.matchAll(/^\| (\d{3}) \| (.*) \|$/gm)) {
    for (const code of (row[2] ?? '').matchAll(/`([a-z_]+)`/g)) table.set(code[1] ?? '', Number(row[1]));
  }
  return table;
}
