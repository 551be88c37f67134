import type { PreviewHook } from './hook';

/** EC2 Write calls: the target as it is now. */
export const ec2Hooks: Record<string, PreviewHook> = {};
