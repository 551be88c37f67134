import { DefaultFailureConverter } from '@temporalio/common';

/**
 * With encryption on, failure messages and stack traces move into an encoded payload, so the
 * codec encrypts them too (a failure message can quote a param). Loaded by path: the worker
 * bundles it into workflow code, and the client loads it the same way.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
