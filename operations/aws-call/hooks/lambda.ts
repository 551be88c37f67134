import type { PreviewHook } from './hook';

/** Lambda Write calls: the target as it is now. */
export const lambdaHooks: Record<string, PreviewHook> = {};
