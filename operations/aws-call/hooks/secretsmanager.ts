import type { PreviewHook } from './hook';

/** Secrets Manager Write calls: the target as it is now. */
export const secretsManagerHooks: Record<string, PreviewHook> = {};
