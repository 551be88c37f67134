import type { AwsCallService } from '../services';
import { dynamoDbHooks } from './dynamodb';
import type { PreviewHook } from './hook';

/** Each service's preview hooks, by API operation. A Write call with none is previewed by its IAM statement alone. */
const HOOKS: Partial<Record<AwsCallService, Record<string, PreviewHook>>> = {
  dynamodb: dynamoDbHooks,
};

export function previewHookFor(service: AwsCallService, operation: string): PreviewHook | undefined {
  const hooks = HOOKS[service];
  return hooks && Object.hasOwn(hooks, operation) ? hooks[operation] : undefined;
}
