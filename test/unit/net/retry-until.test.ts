import { connectToTemporal } from '../../../config/temporal-connection';
import { retryUntil } from '../../../net/retry-until';

describe('retryUntil', () => {
  it('tries again after each failure and returns the first success', async () => {
    let calls = 0;
    const retries: number[] = [];
    const value = await retryUntil(
      () => {
        calls++;
        return calls < 3 ? Promise.reject(new Error(`down ${calls}`)) : Promise.resolve('connected');
      },
      { withinMs: 5_000, pauseMs: 10, onRetry: (_err, elapsed) => retries.push(elapsed) },
    );
    expect(value).toBe('connected');
    expect(calls).toBe(3);
    expect(retries).toHaveLength(2);
  });

  it('throws the last error once the time is up, without a pause that would overrun it', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      retryUntil(
        () => {
          calls++;
          return Promise.reject(new Error(`down ${calls}`));
        },
        { withinMs: 100, pauseMs: 30 },
      ),
    ).rejects.toThrow(/^down \d+$/);
    expect(calls).toBeGreaterThanOrEqual(2);
    expect(calls).toBeLessThanOrEqual(5);
    expect(Date.now() - started).toBeLessThan(100 + 30);
  });
});

describe('connectToTemporal', () => {
  it('says on each retry where Temporal was not reached and how long it will keep trying', async () => {
    const lines: string[] = [];
    let calls = 0;
    const connected = await connectToTemporal(
      () => (++calls === 1 ? Promise.reject(new Error('Failed to connect before the deadline')) : Promise.resolve('connection')),
      { AIRLOCK_TEMPORAL_ADDRESS: 'temporal:7233', AIRLOCK_TEMPORAL_CONNECT_TIMEOUT: 10_000 },
      (line) => lines.push(line),
    );
    expect(connected).toBe('connection');
    expect(lines).toEqual([
      expect.stringMatching(
        /^Temporal at temporal:7233 not reachable \(Failed to connect before the deadline\); trying again, 10 s left \(AIRLOCK_TEMPORAL_CONNECT_TIMEOUT\)$/,
      ),
    ]);
  }, 10_000);
});
