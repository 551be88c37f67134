import { stageRows } from '../../../bench/workflow-report';

/** Stage timelines with two stages, p50 in ms. */
const timeline = (request: number, task: number, samples = 45) => ({ samples, request, task });
const STAGES: [string, string, 'request' | 'task'][] = [
  ['request → started', 'HTTP', 'request'],
  ['the first task', 'admission', 'task'],
];

describe('the stage tables beside their floors', () => {
  it('adds the trust floor and what Airlock spends beyond it when the run timed its stages', () => {
    const rows = stageRows({ airlock: timeline(3.4, 23.1), floor: timeline(1.7, 6.6), trust: timeline(1.6, 16.7) }, STAGES);
    expect(rows[0]).toEqual(['stage (p50)', 'Airlock does', 'Airlock', 'floor', 'difference', 'trust floor', 'Airlock − trust floor']);
    expect(rows[2]).toEqual(['the first task', 'admission', '23.1 ms', '6.6 ms', '16.5 ms', '16.7 ms', '6.4 ms']);
  });

  it('keeps the floor alone for results recorded before, or a run whose trust floor left no samples', () => {
    const before = stageRows({ airlock: timeline(3.4, 23.1), floor: timeline(1.7, 6.6) }, STAGES);
    const empty = stageRows({ airlock: timeline(3.4, 23.1), floor: timeline(1.7, 6.6), trust: timeline(0, 0, 0) }, STAGES);
    for (const rows of [before, empty]) {
      expect(rows[0]).toEqual(['stage (p50)', 'Airlock does', 'Airlock', 'floor', 'difference']);
      expect(rows[1]).toEqual(['request → started', 'HTTP', '3.4 ms', '1.7 ms', '1.7 ms']);
    }
  });
});
