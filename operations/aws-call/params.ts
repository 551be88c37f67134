import { z } from 'zod';
import { fitsSessionPolicyLimit } from '../session-time';
import { MAX_SESSION_POLICY_CHARS } from '../types';
import { AwsCallDerivationError, type AwsCallTarget } from './derive';
import { callSessionPolicy } from './policies';
import { API_OPERATION_PATTERN, AWS_CALL_SERVICES, SERVICE_SPECS, sdkHasOperation } from './services';

const callFields = z.strictObject({
  /** The service, by its IAM prefix. */
  service: z.enum(AWS_CALL_SERVICES),
  /** The API operation as the SDK names it: `DeleteItem`, `PurgeQueue`, `PutBucketPolicy`. */
  operation: z.string().regex(API_OPERATION_PATTERN, 'must be an API operation name such as DeleteItem'),
  /** The operation's input, as the SDK command takes it (JSON; the request body is JSON, so nothing else arrives). */
  input: z.record(z.string(), z.unknown()).default({}),
  /** The account the call's resources are in: required when their ARNs name one. */
  accountId: z
    .string()
    .regex(/^\d{12}$/, 'must be exactly 12 digits')
    .optional(),
  /** The region to call, and the one the resources' ARNs name; default: the worker's region (ARNs that name a region then need it). */
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/, 'must be a region name such as us-east-1')
    .optional(),
});

export type AwsCallParams = z.infer<typeof callFields>;

/**
 * Params of `aws.call`, checked where they arrive: the SDK client has the operation, and the
 * reference yields a session policy from the input that names every resource it needs and fits
 * STS. The worker derives the policy again in its own partition.
 */
export const awsCallParams = callFields.superRefine((params, ctx) => {
  if (!sdkHasOperation(params.service, params.operation)) {
    ctx.addIssue({
      code: 'custom',
      path: ['operation'],
      message: `${SERVICE_SPECS[params.service].sdkPackage} has no API operation ${params.operation}`,
    });
    return;
  }
  try {
    // The whole session policy: with the reads of a preview hook that checks the target again.
    if (!fitsSessionPolicyLimit(callSessionPolicy(targetOf(params), undefined))) {
      ctx.addIssue({
        code: 'custom',
        path: ['input'],
        message: `the session policy this call needs would exceed the ${MAX_SESSION_POLICY_CHARS}-character STS limit: name fewer or shorter resources`,
      });
    }
  } catch (err) {
    if (!(err instanceof AwsCallDerivationError)) throw err;
    ctx.addIssue({ code: 'custom', path: ['input'], message: `no least-privilege session policy: ${err.message}` });
  }
});

export function targetOf(params: AwsCallParams): AwsCallTarget {
  return { service: params.service, operation: params.operation, input: params.input, accountId: params.accountId, region: params.region };
}
