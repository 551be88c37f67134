import { prettyLogLine } from '../../../scripts/lib/pretty-log-line';

describe('prettyLogLine', () => {
  it('prints time, level, message and the other fields of a pino line', () => {
    const line = JSON.stringify({
      level: 40,
      time: Date.UTC(2026, 10, 29, 20, 33, 5, 120),
      pid: 1,
      hostname: 'vm',
      msg: 'refused request',
      code: 'forbidden',
      actionId: 'action-s3.copyObject-abc',
      req: { method: 'POST' },
    });
    expect(prettyLogLine(line)).toBe('20:33:05.120 WARN  refused request code=forbidden actionId=action-s3.copyObject-abc req={"method":"POST"}');
  });

  it('keeps only the first line of a long info message, and all of an error', () => {
    expect(prettyLogLine(JSON.stringify({ level: 30, time: 0, msg: 'asset bundle\nmodules…' }))).toBe('00:00:00.000 INFO  asset bundle');
    expect(prettyLogLine(JSON.stringify({ level: 50, time: 0, msg: 'failed\nat x' }))).toBe('00:00:00.000 ERROR failed\nat x');
  });

  it('passes lines that are not JSON objects through', () => {
    expect(prettyLogLine('(node:1) Warning: something')).toBe('(node:1) Warning: something');
    expect(prettyLogLine('42')).toBe('42');
  });
});
