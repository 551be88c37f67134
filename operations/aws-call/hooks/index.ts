import type { AwsCallService } from '../services';
import { dynamoDbHooks } from './dynamodb';
import { ec2Hooks } from './ec2';
import type { PreviewHook } from './hook';
import { iamHooks } from './iam';
import { lambdaHooks } from './lambda';
import { s3Hooks } from './s3';
import { secretsManagerHooks } from './secretsmanager';
import { snsHooks } from './sns';
import { sqsHooks } from './sqs';

/** Each service's preview hooks, by API operation. A Write call with none is previewed by its IAM statement alone. */
const HOOKS: Record<AwsCallService, Record<string, PreviewHook>> = {
  s3: s3Hooks,
  dynamodb: dynamoDbHooks,
  lambda: lambdaHooks,
  sqs: sqsHooks,
  sns: snsHooks,
  secretsmanager: secretsManagerHooks,
  ec2: ec2Hooks,
  iam: iamHooks,
};

export function previewHookFor(service: AwsCallService, operation: string): PreviewHook | undefined {
  const hooks = HOOKS[service];
  return Object.hasOwn(hooks, operation) ? hooks[operation] : undefined;
}
