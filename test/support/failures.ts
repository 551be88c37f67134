import { ApplicationFailure } from '@temporalio/common';

/** Awaits a promise that must reject with an instance of `type`, and returns that error. */
export async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded`);
}

/** Awaits a promise that must fail with an ApplicationFailure, and returns that failure. */
export function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  return rejectionOf(promise, ApplicationFailure);
}
