import {
  BYTES_PER_CACHED_ACTION,
  cachedWorkflowsForBudget,
  WORKFLOW_TASK_SLOTS,
  WORKFLOW_THREAD_BASE_HEAP_MIB,
  workflowTaskSlots,
  workflowThreadHeapMiB,
} from '../../../workers/worker-sizing';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('the workflow cache sized from a memory budget', () => {
  it('holds as many pending actions as the budget pays for', () => {
    expect(cachedWorkflowsForBudget(40, 4 * GiB)).toBe(Math.floor((40 * MiB) / BYTES_PER_CACHED_ACTION));
    expect(cachedWorkflowsForBudget(256, 4 * GiB)).toBe(Math.floor((256 * MiB) / BYTES_PER_CACHED_ACTION));
  });

  it('never holds fewer workflows than the worker runs tasks at once', () => {
    expect(cachedWorkflowsForBudget(1, 4 * GiB)).toBe(WORKFLOW_TASK_SLOTS);
    expect(cachedWorkflowsForBudget(1, 0)).toBe(WORKFLOW_TASK_SLOTS);
  });

  it('never takes more than half the memory the process may use, however large the budget', () => {
    const halfMemory = Math.floor(GiB / BYTES_PER_CACHED_ACTION);
    expect(cachedWorkflowsForBudget(100_000, 2 * GiB)).toBe(halfMemory);
    expect(cachedWorkflowsForBudget(1024, 2 * GiB)).toBe(halfMemory);
    expect(cachedWorkflowsForBudget(1023, 2 * GiB)).toBeLessThan(halfMemory);
  });

  it('grows with the budget', () => {
    const sizes = [1, 10, 40, 100, 400, 1000, 4000].map((budget) => cachedWorkflowsForBudget(budget, 4 * GiB));
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
  });
});

describe('workflow task slots', () => {
  it('are the SDK default unless an explicit cache is smaller', () => {
    expect(workflowTaskSlots(1000)).toBe(WORKFLOW_TASK_SLOTS);
    expect(workflowTaskSlots(WORKFLOW_TASK_SLOTS)).toBe(WORKFLOW_TASK_SLOTS);
    expect(workflowTaskSlots(10)).toBe(10);
  });

  it('stay at the SDK minimum of 2 for a tiny cache, and at the default for no cache', () => {
    expect(workflowTaskSlots(1)).toBe(2);
    expect(workflowTaskSlots(0)).toBe(WORKFLOW_TASK_SLOTS);
  });
});

describe("the workflow thread's heap limit", () => {
  it('is the base with nothing cached', () => {
    expect(workflowThreadHeapMiB(0)).toBe(WORKFLOW_THREAD_BASE_HEAP_MIB);
  });

  it('holds the cache sized from a budget, at the RSS figure per workflow', () => {
    const cached = cachedWorkflowsForBudget(40, 4 * GiB);
    expect(workflowThreadHeapMiB(cached)).toBe(128);
    expect((workflowThreadHeapMiB(cached) - WORKFLOW_THREAD_BASE_HEAP_MIB) * MiB).toBeGreaterThanOrEqual(cached * BYTES_PER_CACHED_ACTION);
  });

  it('grows with the cache, in whole MiB', () => {
    expect(workflowThreadHeapMiB(1)).toBe(WORKFLOW_THREAD_BASE_HEAP_MIB + 1);
    expect(workflowThreadHeapMiB(2310)).toBe(WORKFLOW_THREAD_BASE_HEAP_MIB + Math.ceil((2310 * BYTES_PER_CACHED_ACTION) / MiB));
  });
});
