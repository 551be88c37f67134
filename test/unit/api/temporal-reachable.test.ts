import { ServiceError } from '@temporalio/client';
import { isTemporalUnreachable } from '../../../api/temporal-reachable';

/** An error shaped as grpc-js makes them (code, details, metadata), which is what the Temporal client checks. */
function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details, metadata: {} });
}

describe('isTemporalUnreachable', () => {
  test('UNAVAILABLE and DEADLINE_EXCEEDED, bare or as the cause of a client ServiceError, mean Temporal could not be reached', () => {
    expect(isTemporalUnreachable(grpcError(14, 'No connection established'))).toBe(true);
    expect(isTemporalUnreachable(grpcError(4, 'Deadline exceeded'))).toBe(true);
    expect(isTemporalUnreachable(new ServiceError('Failed to query workflow', { cause: grpcError(14, 'connect ECONNREFUSED') }))).toBe(true);
  });

  test('other gRPC codes and other errors do not', () => {
    expect(isTemporalUnreachable(grpcError(5, 'workflow not found'))).toBe(false);
    expect(isTemporalUnreachable(grpcError(3, 'invalid argument'))).toBe(false);
    expect(isTemporalUnreachable(new ServiceError('Failed', { cause: grpcError(7, 'permission denied') }))).toBe(false);
    // A code without grpc's details and metadata is not a gRPC error, whatever its number.
    expect(isTemporalUnreachable(Object.assign(new Error('x'), { code: 14 }))).toBe(false);
    expect(isTemporalUnreachable('UNAVAILABLE')).toBe(false);
    expect(isTemporalUnreachable(undefined)).toBe(false);
  });
});
