import pino from 'pino';
import type { ActionListFilter, ActionRead, ActionSummary } from '../../../domain/actions-port';
import type { ActionState } from '../../../domain/types';
import { PendingReviews } from '../../../api/console/pages/pending-reviews';
import { pendingState } from './support';

/** The two calls the poller makes, over a map of states; counts them. */
class FakeActions {
  readonly states = new Map<string, ActionState>();
  readonly filters: ActionListFilter[] = [];
  gets = 0;
  notLive = new Set<string>();

  async list(filter: ActionListFilter): Promise<ActionSummary[]> {
    this.filters.push(filter);
    return [...this.states.values()]
      .filter((state) => state.status === filter.status)
      .map((state) => ({ id: state.actionId, status: state.status, startedAt: state.request.requestedAt }));
  }

  async get(id: string): Promise<ActionRead> {
    this.gets += 1;
    const state = this.states.get(id);
    if (!state) throw new Error(`no ${id}`);
    return { state, live: !this.notLive.has(id) };
  }
}

const log = pino({ level: 'silent' });

describe('PendingReviews', () => {
  it('reads this deployment’s pending reviews, newest first, once for callers arriving together', async () => {
    const actions = new FakeActions();
    const older = pendingState({ actionId: 'action-a-aaaaaaaaaaaaaaaa' });
    const newer = pendingState({ actionId: 'action-b-bbbbbbbbbbbbbbbb', request: { ...older.request, requestedAt: '2026-12-04T11:59:59.000Z' } });
    actions.states.set(older.actionId, older).set(newer.actionId, newer);
    const pending = new PendingReviews(actions, log);

    const [first, second] = await Promise.all([pending.current(), pending.current()]);
    expect(first).toBe(second);
    expect(actions.filters).toEqual([{ status: 'pending_review', ownTaskQueue: true, limit: 200 }]);
    expect(first.states.map((state) => state.actionId)).toEqual([newer.actionId, older.actionId]);
    expect(first.unreadable).toBe(0);
    // Fresh enough: not read again.
    await pending.current();
    expect(actions.gets).toBe(2);
  });

  it('counts the pending actions no worker could answer for, and leaves them out', async () => {
    const actions = new FakeActions();
    const state = pendingState();
    actions.states.set(state.actionId, state);
    actions.notLive.add(state.actionId);
    const snapshot = await new PendingReviews(actions, log).current();
    expect(snapshot.states).toEqual([]);
    expect(snapshot.unreadable).toBe(1);
  });

  it('polls only while someone listens, and tells listeners when the set or the votes change', async () => {
    const actions = new FakeActions();
    const state = pendingState();
    actions.states.set(state.actionId, state);
    const pending = new PendingReviews(actions, log, { intervalMs: 20 });
    const initial = (await pending.current()).version;

    const heard: string[] = [];
    const stop = pending.subscribe((version) => heard.push(version));
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(heard).toEqual([]);

    actions.states.set(state.actionId, { ...state, votes: [{ reviewer: 'alice', verdict: 'approve', channel: 'api', at: state.updatedAt }] });
    await waitUntil(() => heard.length === 1);
    expect(heard[0]).not.toBe(initial);

    actions.states.set(state.actionId, { ...state, status: 'succeeded' });
    await waitUntil(() => heard.length === 2);
    expect((await pending.current()).states).toEqual([]);

    stop();
    expect(pending.listening).toBe(0);
    const reads = actions.filters.length;
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(actions.filters.length).toBe(reads);
  });
});

async function waitUntil(done: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
