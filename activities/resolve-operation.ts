import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../domain/failure-types';
import { InvalidParamsError, UnknownActionError, type Catalogue, type ResolvedOperation } from '../operations/catalogue';

/**
 * Catalogue lookup and params re-validation inside an activity. The API validated first, so a
 * failure here means a client bypassed it; retrying cannot help, hence non-retryable failures.
 */
export function resolveOperation(catalogue: Catalogue, action: string, params: unknown): ResolvedOperation {
  try {
    return catalogue.resolve(action, params);
  } catch (err) {
    if (err instanceof UnknownActionError) {
      throw ApplicationFailure.create({ type: FailureType.UnknownAction, message: err.message, nonRetryable: true });
    }
    if (err instanceof InvalidParamsError) {
      throw ApplicationFailure.create({ type: FailureType.InvalidParams, message: err.message, nonRetryable: true });
    }
    throw err;
  }
}
