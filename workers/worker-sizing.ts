/**
 * The worker's workflow cache, sticky queue and V8 heap settings (docs/deployment.md#scaling). No
 * imports: config/schema.ts takes its defaults from here, and the API process loads the schema too.
 */

/**
 * What one cached pending action costs the worker's RSS, bytes. Measured with
 * scripts/measure-cache-entry.ts on 2026-12-04 (Node 24.22.3, SDK 1.24.0, 2-core AMD EPYC): the
 * worker alone in its process, workflows on the SDK's workflow thread, noble preloaded, 1,000
 * two-approver actions pending with one approval each (so each has verified a signature): 393 KiB
 * of RSS per action over the ramp (before any vote, 300 KiB; over 2,000 actions, 320 and 230 KiB).
 * Without the preload it was 763 KiB (413 before a vote). The V8 heap an action keeps alive is
 * smaller (87 KiB, workflows on the main thread); RSS adds the heap's headroom and native memory,
 * and RSS is what a container limit counts. Rounded up. Measure again when the workflow changes much.
 */
export const BYTES_PER_CACHED_ACTION = 400 * 1024;

/**
 * Workflow tasks a worker runs at once (the SDK's default). The cache never holds fewer workflows:
 * a task needs its workflow in the cache, and the SDK allows no more task slots than cache entries.
 */
export const WORKFLOW_TASK_SLOTS = 40;

/** AIRLOCK_WORKER_CACHE_MIB's default. */
export const DEFAULT_CACHE_BUDGET_MIB = 40;

/**
 * AIRLOCK_WORKER_STICKY_TIMEOUT's default. A workflow's next task goes first to the queue of the
 * worker that cached it; if that worker has died, the task waits this long before any worker may
 * take it (by replaying the history). The SDK's 10 s would hold a vote that long after a crash; a
 * live worker picks its sticky tasks up within milliseconds, so 1 s costs nothing while it lives.
 */
export const DEFAULT_STICKY_TIMEOUT = '1s';

const MiB = 1024 * 1024;

/**
 * How many workflows fit in `budgetMiB`, at least WORKFLOW_TASK_SLOTS and at most what half of
 * `memoryBytes` (what the process may use: its container's limit, or the host's memory) pays for:
 * a budget beyond it would end in the process being killed, not in evictions. The heap the cache
 * lives in, the workflow thread's, is sized for it (workflowThreadHeapMiB).
 */
export function cachedWorkflowsForBudget(budgetMiB: number, memoryBytes: number): number {
  const fits = Math.floor((budgetMiB * MiB) / BYTES_PER_CACHED_ACTION);
  const ceiling = Math.max(WORKFLOW_TASK_SLOTS, Math.floor(memoryBytes / 2 / BYTES_PER_CACHED_ACTION));
  return Math.min(Math.max(fits, WORKFLOW_TASK_SLOTS), ceiling);
}

/**
 * Task slots for a cache of `maxCachedWorkflows`: the SDK's default, lowered to the cache when an
 * explicit AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS is smaller (never below the SDK's minimum of 2).
 * A cache of 0 is disabled: every task replays, and the slots need not fit in it.
 */
export function workflowTaskSlots(maxCachedWorkflows: number): number {
  if (maxCachedWorkflows === 0) return WORKFLOW_TASK_SLOTS;
  return Math.max(2, Math.min(WORKFLOW_TASK_SLOTS, maxCachedWorkflows));
}

/**
 * V8 sizes each heap from the host's memory: on a 24 GiB host a young generation of up to 128 MiB
 * and an old one of 4 GiB, which it fills with garbage before collecting. A worker's heaps are
 * small (live: ~50 MiB on the main thread, ~35 MiB on the workflow thread with 102 workflows
 * cached), so these limits bound its RSS; measured with bench/workflow/pending-rss.ts, see
 * docs/deployment.md#scaling. 4 MiB semi-spaces (both isolates): 291 MB of RSS at 5,000 pending
 * against 312 MB with 8 MiB (both with WORKER_PROCESS_ENV), the worker's CPU per start +4%
 * (2026-12-04).
 */
export const SEMI_SPACE_MIB = 4;

/**
 * The main thread's old generation, MiB. It holds the SDK's client and core bridge, the
 * activities and their AWS clients: ~45 MiB live with 10,000 actions pending, and every
 * operation's AWS client, loaded on first use, adds ~18 MiB more (EC2's model ~11 MiB of it;
 * 2026-12-05). Sized from the host's memory (4 GiB here), V8 let ~120 MiB more RSS of garbage pile
 * up before collecting: 10,000 pending read 386 MiB as found, against 262 MiB with this limit
 * (bench/workflow/pending-rss.ts, 2026-12-05), for about 1.5 ms more worker CPU per action started
 * (14.7 against 13.2 ms, in run-to-run noise). The cached workflows are not here: the workflow
 * thread's heap is sized for them (workflowThreadHeapMiB).
 */
export const MAIN_THREAD_HEAP_MIB = 128;

/**
 * Node flags the worker process is started with (the image's documented command, the compose file,
 * the Kubernetes manifest, `npm start`): the main thread's heap limits are fixed when the process
 * starts. Without the semi-space flag its young generation grew to 128 MiB, ~110 MiB of RSS, and
 * saved no measurable CPU; without the old-generation flag, see MAIN_THREAD_HEAP_MIB.
 */
export const WORKER_NODE_FLAGS: readonly string[] = [`--max-semi-space-size=${SEMI_SPACE_MIB}`, `--max-old-space-size=${MAIN_THREAD_HEAP_MIB}`];

/**
 * Environment the worker process is started with (the image, `npm start`, the bench), under what
 * the operator sets. glibc's malloc gives each thread that allocates an arena of its own, up to
 * 8 per core, and keeps what each arena once held: the SDK's Rust core, libuv and V8's helper
 * threads made the worker's RSS grow to 348 MB at 5,000 pending against 312 MB with two arenas
 * (and 303 MB with one; the same start rate in all three; 2026-12-04, bench/workflow/pending-rss.ts).
 */
export const WORKER_PROCESS_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '2' };

/** The workflow thread's old generation with nothing cached: the bundle, its preloaded modules, the SDK and room to collect. */
export const WORKFLOW_THREAD_BASE_HEAP_MIB = 88;

/**
 * The workflow thread's old-generation limit, MiB: the base plus BYTES_PER_CACHED_ACTION for each
 * cached workflow (an RSS figure, several times the heap one keeps, so the cache always fits).
 * Without a limit, garbage grew the thread's RSS by ~80 KiB per further pending action, cache full.
 */
export function workflowThreadHeapMiB(maxCachedWorkflows: number): number {
  return WORKFLOW_THREAD_BASE_HEAP_MIB + Math.ceil((maxCachedWorkflows * BYTES_PER_CACHED_ACTION) / MiB);
}
