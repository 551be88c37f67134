import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { httpErrorOf } from '../../../api/domain-error-http';
import { errorFromResponse } from '../../../client/errors';
import { DomainErrorCode, InvalidInputError, type DomainError } from '../../../domain/errors';
import { RefusalCode } from '../../../domain/types';
import { toolError } from '../../../mcp/tool-error';
import { ALL_DOMAIN_ERROR_CODES, oneOfEachDomainError } from '../../support/domain-errors';

/**
 * The line after "Airlock refused (…)" for each domain error: what the model can do next. An agent
 * never votes, so vote refusals have none; undefined means the API's message is all it reads.
 */
const NEXT_STEP: Record<string, RegExp | undefined> = {
  [DomainErrorCode.InvalidParams]: /^Fix the named params \(list_actions has each params JSON Schema\)/,
  [DomainErrorCode.InvalidRequest]: /^Fix the named fields/,
  [DomainErrorCode.UnknownAction]: /^Call list_actions/,
  [DomainErrorCode.ActionNotFound]: /^Check the id/,
  [RefusalCode.NotCancellable]: /^It can no longer be cancelled.*call get_action/,
  [DomainErrorCode.IdempotencyKeyReused]: /^That idempotency_key was used for a different request/,
  [DomainErrorCode.TemporalUnavailable]: /^Airlock is briefly unavailable: retry with the same idempotency_key/,
  [DomainErrorCode.WorkerUnavailable]: /^Airlock is briefly unavailable: retry with the same idempotency_key/,
  [DomainErrorCode.AuditUnavailable]: undefined,
  [RefusalCode.SelfApproval]: undefined,
  [RefusalCode.NotAnApprover]: undefined,
  [RefusalCode.StepUpRequired]: undefined,
  [RefusalCode.AlreadyVoted]: undefined,
  [RefusalCode.ActionClosed]: undefined,
  [RefusalCode.NotPendingReview]: undefined,
  [RefusalCode.CommentRequired]: undefined,
  [RefusalCode.IdentityUnverified]: undefined,
};

/** The MCP server reaches Airlock over HTTP: a domain error arrives as the API's answer, read by the client. */
function throughTheApi(err: DomainError): CallToolResult {
  const { status, body } = httpErrorOf(err);
  return toolError(errorFromResponse(status, JSON.stringify(body)));
}

function lines(result: CallToolResult): string[] {
  const [content] = result.content;
  return content?.type === 'text' ? content.text.split('\n') : [];
}

describe('domain errors at the MCP edge', () => {
  const errors = oneOfEachDomainError();

  it('has a case for every domain error code', () => {
    expect(Object.keys(NEXT_STEP).sort()).toEqual(ALL_DOMAIN_ERROR_CODES);
  });

  it.each(errors.map((err) => [err.name, err.code, err] as const))('%s (%s) is a tool error the model can act on', (_name, code, err) => {
    const result = throughTheApi(err);
    expect(result.isError).toBe(true);
    const [first, ...rest] = lines(result);
    const said = err instanceof InvalidInputError ? err.issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ') : err.message;
    expect(first).toBe(`Airlock refused (${httpErrorOf(err).status} ${code}): ${said}`);
    const next = NEXT_STEP[code];
    if (next === undefined) expect(rest).toEqual([]);
    else expect(rest).toEqual([expect.stringMatching(next)]);
  });
});
