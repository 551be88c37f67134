import { fullSizeCitation, replacesFullSize } from '../../../bench/workflow-report';
import type { PendingRssResult } from '../../../bench/workflow/pending-rss';
import type { Machine } from '../../../bench/lib/publish';

const MiB = 1024 * 1024;
const CACHE = 100;
const MACHINE: Machine = { cpu: 'test CPU', cpus: 2, memoryGiB: 8, os: 'linux 6', node: 'v24', date: '2026-12-05' };

/** A pending part that started `pending` of `target`, its RSS rising to `plateauMiB` at the cache and then by `slopeBytes` per action. */
function pendingRun(pending: number, target: number, plateauMiB: number, slopeBytes: number): PendingRssResult {
  const ramp = [];
  for (let count = 0; count <= pending; count += 500) {
    const filling = Math.min(count, CACHE);
    ramp.push({
      pending: count,
      rss: 180 * MiB + (filling / CACHE) * (plateauMiB - 180) * MiB + Math.max(0, count - CACHE) * slopeBytes,
      cachedWorkflows: filling,
    });
  }
  const memory = (rss: number, cachedWorkflows: number) => ({ rss, heapUsed: 40 * MiB, cachedWorkflows, maxCachedWorkflows: CACHE });
  const last = ramp.at(-1) ?? { rss: 0, cachedWorkflows: 0 };
  return {
    target,
    budgetSeconds: 200,
    concurrency: 50,
    sampleEvery: 500,
    pending,
    startSeconds: pending / 50,
    startsPerSecond: 50,
    before: memory(180 * MiB, 0),
    after: memory(last.rss, last.cachedWorkflows),
    bytesPerAction: (last.rss - 180 * MiB) / pending,
    ramp,
    slopeBytesPerAction: slopeBytes,
    cpuMsPerAction: { temporal: 12, worker: 15 },
  };
}

describe("the report's citation of the kept full-size run", () => {
  const hundredThousand = { machine: MACHINE, pending: pendingRun(100_000, 100_000, 260, 100) };

  it('cites the opt-in 100,000 run beside a complete 10,000 run, with where its RSS levelled off and the slope past the cache', () => {
    const citation = fullSizeCitation(pendingRun(10_000, 10_000, 270, 0), hundredThousand);
    expect(citation).toContain('Full-size run of the worker-memory part');
    expect(citation).toContain('up to 100,000');
    // 100 bytes per action past the cache: 0.10 KiB.
    expect(citation).toContain('least-squares slope over those readings: 0.10 KiB per further pending action');
  });

  it("says where the kept run's dev server kept its state when that was a file, and nothing of it otherwise", () => {
    const run = pendingRun(10_000, 10_000, 270, 0);
    const onFile = { machine: MACHINE, pending: { ...hundredThousand.pending, temporalStore: 'sqlite-file' as const } };
    expect(fullSizeCitation(run, onFile)).toContain('the dev server kept its state in a SQLite file');
    expect(fullSizeCitation(run, hundredThousand)).not.toContain('SQLite');
  });

  it('says when the kept run read its RSS after forced GCs (older records), and gives its live memory when it has one', () => {
    const run = pendingRun(10_000, 10_000, 270, 0);
    expect(fullSizeCitation(run, hundredThousand)).toContain("its RSS read the earlier way: after a forced GC of the worker's main heap");
    const asFound = { ...hundredThousand.pending, rssRead: 'as-found' as const, afterGc: { ...hundredThousand.pending.after, rss: 250 * MiB } };
    const citation = fullSizeCitation(run, { machine: MACHINE, pending: asFound });
    expect(citation).not.toContain('forced GC');
    expect(citation).toContain('| 250.0 MiB |');
  });

  it('cites the kept run when this one ended short of its target', () => {
    const kept = { machine: MACHINE, pending: pendingRun(10_000, 10_000, 270, 0) };
    expect(fullSizeCitation(pendingRun(9_500, 10_000, 270, 0), kept)).toContain('up to 10,000');
  });

  it('says nothing when this run went as far as the kept one, or none was kept', () => {
    const run = pendingRun(10_000, 10_000, 270, 0);
    expect(fullSizeCitation(run, { machine: MACHINE, pending: pendingRun(10_000, 10_000, 265, 0) })).toBe('');
    expect(fullSizeCitation(run, undefined)).toBe('');
  });
});

describe('which run replaces the kept full-size record', () => {
  const kept = (pending: number) => ({ machine: MACHINE, pending: pendingRun(pending, pending, 260, 0) });

  it('a complete run replaces a kept run that went no further, or none', () => {
    expect(replacesFullSize(pendingRun(10_000, 10_000, 270, 0), kept(10_000))).toBe(true);
    expect(replacesFullSize(pendingRun(100_000, 100_000, 270, 0), kept(10_000))).toBe(true);
    expect(replacesFullSize(pendingRun(10_000, 10_000, 270, 0), undefined)).toBe(true);
  });

  it('a complete 10,000 run does not replace the kept 100,000 run, and a partial run replaces nothing', () => {
    expect(replacesFullSize(pendingRun(10_000, 10_000, 270, 0), kept(100_000))).toBe(false);
    expect(replacesFullSize(pendingRun(9_500, 10_000, 270, 0), undefined)).toBe(false);
  });
});
