import { combine } from '../../../bench/workflow/throughput';

describe('throughput parts, combined into one side', () => {
  it('sums the runs and the CPU of every part over the whole window', () => {
    const options = { concurrency: 16, warmupSeconds: 2, seconds: 10, rounds: 2 };
    const side = combine(
      [
        { latencies: [10, 20, 30], cpuSeconds: { self: 0.3, temporal: 0.6 } },
        { latencies: [40, 50], cpuSeconds: { self: 0.2, temporal: 0.4, moto: 0.1 } },
      ],
      options,
    );
    expect(side).toMatchObject({ completed: 5, perSecond: 0.5, rounds: 2, seconds: 10 });
    expect(side.latency.p50).toBe(30);
    // 0.5 s of the bench process over 5 runs: 100 ms each; moto read in one part only still counts.
    expect(side.cpuMsPerAction).toEqual({ self: 100, temporal: 200, moto: 20 });
  });
});
