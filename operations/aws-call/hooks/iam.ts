import type { PreviewHook } from './hook';

/** IAM Write calls: the target as it is now. */
export const iamHooks: Record<string, PreviewHook> = {};
