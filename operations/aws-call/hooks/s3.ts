import type { PreviewHook } from './hook';

/** S3 Write calls: the target as it is now. */
export const s3Hooks: Record<string, PreviewHook> = {};
