import { Writable } from 'node:stream';
import { LogTimestamp } from '@temporalio/worker';
import { createWorkerLog, sdkLogFields, sdkLogger, type LogLevel } from '../../../workers/log';

/** A worker log writing into an array of parsed lines. */
function capture(level: LogLevel = 'debug') {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = createWorkerLog({ level, sensitiveParams: new Set(['policyDocument']), destination });
  return { log, lines };
}

describe('the worker log', () => {
  it("maps the SDK's workflowId to actionId and drops the task token and the SDK's timestamp", () => {
    expect(
      sdkLogFields({ workflowId: 'action-s3.copyObject-abc', runId: 'r', activityType: 'executeOperation', taskToken: 'secret', [LogTimestamp]: 1n }),
    ).toEqual({ actionId: 'action-s3.copyObject-abc', runId: 'r', activityType: 'executeOperation' });
    expect(sdkLogFields(undefined)).toEqual({});
  });

  it('writes SDK lines as JSON at their level, with actionId', () => {
    const { log, lines } = capture('info');
    const logger = sdkLogger(log);
    logger.debug('Workflow started', { workflowId: 'action-a-1', sdkComponent: 'worker' });
    logger.info('assumed one-shot execute session', { workflowId: 'action-a-1', sdkComponent: 'activity' });
    logger.log('WARN', 'Activity failed', { workflowId: 'action-a-1', error: new Error('boom') });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ level: 30, msg: 'assumed one-shot execute session', actionId: 'action-a-1', sdkComponent: 'activity' });
    expect(lines[1]).toMatchObject({ level: 40, msg: 'Activity failed', actionId: 'action-a-1', error: { message: 'boom', type: 'Error' } });
  });

  it('redacts sensitive params in SDK meta and in bindings', () => {
    const { log, lines } = capture();
    sdkLogger(log).info('activity input', {
      workflowId: 'action-a-1',
      input: { action: 'iam.putRolePolicy', params: { roleName: 'r', policyDocument: { Statement: ['leak'] } } },
    });
    log.child({ params: { policyDocument: 'leak' } }).info('bound');
    expect(JSON.stringify(lines)).not.toContain('leak');
    expect(lines[0]).toMatchObject({ input: { params: { roleName: 'r', policyDocument: '[redacted]' } } });
    expect(lines[1]).toMatchObject({ params: { policyDocument: '[redacted]' } });
  });
});
