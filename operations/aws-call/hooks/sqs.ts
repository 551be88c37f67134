import type { PreviewHook } from './hook';

/** SQS Write calls: the target as it is now. */
export const sqsHooks: Record<string, PreviewHook> = {};
