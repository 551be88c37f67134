import { setFlagsFromString } from 'node:v8';
import { SEMI_SPACE_MIB, workflowThreadHeapMiB } from './worker-sizing';

/**
 * Bounds the V8 heap of the workflow thread that the next Worker.create starts. The SDK creates it
 * without `resourceLimits`, and a new isolate takes its limits from V8's flags: setting them here
 * changes no running isolate (the main thread keeps its own), only those created from now on.
 */
export function limitWorkflowThreadHeap(maxCachedWorkflows: number): void {
  setFlagsFromString(`--max-old-space-size=${workflowThreadHeapMiB(maxCachedWorkflows)}`);
  setFlagsFromString(`--max-semi-space-size=${SEMI_SPACE_MIB}`);
}
