import { ConfigError, loadConfig } from '../../../config/load';

/** The load error for `env`, or a failure if it loads. */
function loadError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).message;
  }
  throw new Error(`loaded ${JSON.stringify(env)} without an error`);
}

describe('worker sizing settings', () => {
  it('default to a 40 MiB cache budget, no explicit cache size and a 1 s sticky timeout', () => {
    const config = loadConfig({});
    expect(config.AIRLOCK_WORKER_CACHE_MIB).toBe(40);
    expect(config.AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS).toBeUndefined();
    expect(config.AIRLOCK_WORKER_STICKY_TIMEOUT).toBe(1000);
  });

  it('read the sticky timeout as a duration, in milliseconds', () => {
    expect(loadConfig({ AIRLOCK_WORKER_STICKY_TIMEOUT: '500ms' }).AIRLOCK_WORKER_STICKY_TIMEOUT).toBe(500);
    expect(loadConfig({ AIRLOCK_WORKER_STICKY_TIMEOUT: '3s' }).AIRLOCK_WORKER_STICKY_TIMEOUT).toBe(3000);
    expect(loadConfig({ AIRLOCK_WORKER_STICKY_TIMEOUT: '1m' }).AIRLOCK_WORKER_STICKY_TIMEOUT).toBe(60_000);
  });

  it.each([
    ['a bare number', '10', /AIRLOCK_WORKER_STICKY_TIMEOUT: invalid duration "10": use a whole number and one unit/],
    ['a word', 'soon', /AIRLOCK_WORKER_STICKY_TIMEOUT: invalid duration "soon"/],
    ['two units', '1s500ms', /AIRLOCK_WORKER_STICKY_TIMEOUT: invalid duration "1s500ms"/],
    ['zero', '0s', /AIRLOCK_WORKER_STICKY_TIMEOUT: invalid duration "0s": must be greater than zero/],
    ['too short', '50ms', /AIRLOCK_WORKER_STICKY_TIMEOUT: must be from 100ms to 60s, got "50ms"/],
    ['too long', '2m', /AIRLOCK_WORKER_STICKY_TIMEOUT: must be from 100ms to 60s, got "2m"/],
  ])('refuse %s as the sticky timeout, naming the variable', (_, value, message) => {
    expect(loadError({ AIRLOCK_WORKER_STICKY_TIMEOUT: value })).toMatch(message);
  });

  it.each(['0', '-5', '1.5', 'lots'])('refuse %j as the cache budget, naming the variable', (value) => {
    expect(loadError({ AIRLOCK_WORKER_CACHE_MIB: value })).toMatch(/^ {2}AIRLOCK_WORKER_CACHE_MIB: /m);
  });

  it('take an explicit cache size, 0 included (no cache)', () => {
    expect(loadConfig({ AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS: '500' }).AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS).toBe(500);
    expect(loadConfig({ AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS: '0' }).AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS).toBe(0);
    expect(loadError({ AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS: '-1' })).toMatch(/AIRLOCK_WORKER_MAX_CACHED_WORKFLOWS: /);
  });

  it('start actions with a 3 s workflow task timeout by default, from 1s to 120s', () => {
    expect(loadConfig({}).AIRLOCK_WORKFLOW_TASK_TIMEOUT).toBe(3000);
    expect(loadConfig({ AIRLOCK_WORKFLOW_TASK_TIMEOUT: '10s' }).AIRLOCK_WORKFLOW_TASK_TIMEOUT).toBe(10_000);
    expect(loadError({ AIRLOCK_WORKFLOW_TASK_TIMEOUT: '500ms' })).toMatch(/AIRLOCK_WORKFLOW_TASK_TIMEOUT: must be from 1s to 120s, got "500ms"/);
    expect(loadError({ AIRLOCK_WORKFLOW_TASK_TIMEOUT: '3m' })).toMatch(/AIRLOCK_WORKFLOW_TASK_TIMEOUT: must be from 1s to 120s, got "3m"/);
  });
});
