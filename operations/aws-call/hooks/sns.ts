import type { PreviewHook } from './hook';

/** SNS Write calls: the target as it is now. */
export const snsHooks: Record<string, PreviewHook> = {};
