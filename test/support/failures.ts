import { ApplicationFailure } from '@temporalio/common';

/** Awaits a promise that must fail with an ApplicationFailure, and returns that failure. */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    return err as ApplicationFailure;
  }
  throw new Error('expected an ApplicationFailure, but the call succeeded');
}
