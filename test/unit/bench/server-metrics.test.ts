import { countWorkflowTaskTimeouts } from '../../../bench/lib/server-metrics';

describe("counting the server's workflow task timeouts", () => {
  it('sums workflow task timeouts, normal and speculative, and leaves activity timeouts out', () => {
    const exposition = [
      '# HELP start_to_close_timeout start_to_close_timeout counter',
      '# TYPE start_to_close_timeout counter',
      'start_to_close_timeout{namespace="default",operation="TimerActiveTaskWorkflowTaskTimeout",service_name="history"} 2',
      'start_to_close_timeout{namespace="default",operation="TimerActiveTaskSpeculativeWorkflowTaskTimeout",service_name="history"} 1',
      'start_to_close_timeout{namespace="default",operation="TimerActiveTaskActivityTimeout",service_name="history"} 7',
      'schedule_to_start_timeout_total{namespace="default",operation="TimerActiveTaskWorkflowTaskTimeout",service_name="history"} 4',
      'schedule_to_start_timeout{namespace="default",operation="TimerActiveTaskActivityTimeout",service_name="history"} 9',
      'start_to_close_timeout_bucket{le="1"} 5',
    ].join('\n');
    expect(countWorkflowTaskTimeouts(exposition)).toEqual({ startToClose: 3, scheduleToStart: 4 });
  });

  it('reads zeros from a server that timed nothing out', () => {
    expect(countWorkflowTaskTimeouts('# nothing yet\nservice_requests{operation="StartWorkflowExecution"} 12\n')).toEqual({
      startToClose: 0,
      scheduleToStart: 0,
    });
  });
});
