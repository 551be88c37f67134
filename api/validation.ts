import type { z } from 'zod';
import { DomainErrorCode, InvalidInputError } from '../domain/errors';

/**
 * What zod refused, as the domain's InvalidInputError: every issue with its path under `where`
 * (`body`, `query`, `params`), so the caller can fix all of them at once.
 */
export function validationError(error: z.ZodError, where: string, code: InvalidInputError['code'] = DomainErrorCode.InvalidRequest): InvalidInputError {
  const issues = error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
  return new InvalidInputError(code, issues);
}
