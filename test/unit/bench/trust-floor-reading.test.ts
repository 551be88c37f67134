import { trustFloorReading, type WorkflowResults } from '../../../bench/workflow-report';
import { percentiles } from '../../../bench/lib/stats';

/** Latency results with these p50s (ms); only what the trust-floor reading reads. */
function latency(p50: {
  approve: number;
  releaseFloor: number;
  trustApprove?: number;
  auto: number;
  activityFloor: number;
  trustAuto?: number;
}): Pick<WorkflowResults, 'latency'> {
  const at = (value: number) => percentiles([value]);
  const trustFloors = p50.trustApprove !== undefined && p50.trustAuto !== undefined ? { approve: at(p50.trustApprove), auto: at(p50.trustAuto) } : undefined;
  return {
    latency: {
      approve: { airlock: at(p50.approve), floor: at(p50.releaseFloor) },
      auto: { airlock: at(p50.auto), floor: at(p50.activityFloor) },
      ...(trustFloors ? { trustFloors } : {}),
    } as WorkflowResults['latency'], // the reading reads approve, auto and trustFloors alone
  };
}

describe('what the trust floors say about the latency goals', () => {
  it('calls a goal out of reach when the trust floor alone is over it, and names what Airlock adds', () => {
    const reading = trustFloorReading(latency({ approve: 36, releaseFloor: 18, trustApprove: 29, auto: 48, activityFloor: 21, trustAuto: 38 }));
    expect(reading).toContain('Goal 1 (≤ 1.5× the floor) is out of reach of any implementation that keeps these steps');
    expect(reading).toContain('the trust floor alone is 1.6× the floor (29.0 ms against 18.0 ms)');
    expect(reading).toContain("Airlock's own work beyond it is 7.0 ms (1.2× the trust floor)");
    // 38 ms is under 2 × 21 ms: reachable, with 4 ms to spare for Airlock's own work.
    expect(reading).toContain('Goal 3 (≤ 2× the floor) is within reach');
    expect(reading).toContain('Airlock may spend up to 4.0 ms of its own');
  });

  it('says nothing for results recorded before the trust floors existed', () => {
    expect(trustFloorReading(latency({ approve: 36, releaseFloor: 18, auto: 48, activityFloor: 21 }))).toBe('');
  });
});
