import {
  ActionNotFoundError,
  ActionRefusedError,
  AuditUnavailableError,
  DomainErrorCode,
  IdempotencyKeyReusedError,
  IdentityUnverifiedError,
  InvalidInputError,
  NotInCatalogueError,
  TemporalUnavailableError,
  WorkerUnavailableError,
  type DomainError,
} from '../../domain/errors';
import { RefusalCode } from '../../domain/types';

const ACTION_ID = 'action-s3.copyObject-abcdefghijkmnpqr';

/** Every code a domain error can carry: the mapping tests check that each edge knows all of them. */
export const ALL_DOMAIN_ERROR_CODES: readonly string[] = [...Object.values(DomainErrorCode), ...Object.values(RefusalCode)].sort();

/** One of each domain error (every refusal code, every other class), as the actions service throws them. */
export function oneOfEachDomainError(): DomainError[] {
  const refusals = Object.values(RefusalCode)
    .filter((code) => code !== RefusalCode.IdentityUnverified)
    .map((code) => new ActionRefusedError(code, `refused: ${code}`));
  return [
    ...refusals,
    new IdentityUnverifiedError('identity not verified: no trusted key signed this proof'),
    new ActionNotFoundError(ACTION_ID),
    new NotInCatalogueError('s3.deleteBucket', ['s3.copyObject', 's3.exportPrefix']),
    new InvalidInputError(DomainErrorCode.InvalidParams, [
      { path: 'params.sourceKey', message: 'object key must not contain "*"' },
      { path: 'params', message: 'Unrecognized key: "extra"' },
    ]),
    new InvalidInputError(DomainErrorCode.InvalidRequest, [{ path: 'body.justification', message: 'Required' }]),
    new IdempotencyKeyReusedError('request'),
    new TemporalUnavailableError(),
    new WorkerUnavailableError(ACTION_ID),
    new AuditUnavailableError(),
  ];
}
