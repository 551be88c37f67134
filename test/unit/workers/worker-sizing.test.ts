import { BYTES_PER_CACHED_ACTION, cachedWorkflowsForBudget, WORKFLOW_TASK_SLOTS, workflowTaskSlots } from '../../../workers/worker-sizing';

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

  it('never takes more than half the heap, however large the budget', () => {
    const halfHeap = Math.floor(GiB / BYTES_PER_CACHED_ACTION);
    expect(cachedWorkflowsForBudget(100_000, 2 * GiB)).toBe(halfHeap);
    expect(cachedWorkflowsForBudget(1024, 2 * GiB)).toBe(halfHeap);
    expect(cachedWorkflowsForBudget(1023, 2 * GiB)).toBeLessThan(halfHeap);
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
