import { ManagedProcess } from '../../../scripts/lib/managed-process';
import { RestartableProcess } from '../../../scripts/lib/restartable-process';

/** A real child that runs until killed, or exits with `code` after `ms`. */
function child(options: { exitAfterMs?: number; code?: number } = {}): { process: ManagedProcess; ready: Promise<void> } {
  const script =
    options.exitAfterMs === undefined ? 'setInterval(() => {}, 1000)' : `setTimeout(() => process.exit(${options.code ?? 0}), ${options.exitAfterMs})`;
  const proc = ManagedProcess.start('child', process.execPath, ['-e', script]);
  return { process: proc, ready: Promise.resolve() };
}

describe('RestartableProcess', () => {
  it('kills with SIGKILL and starts a new process in its place, without calling a deliberate kill unexpected', async () => {
    const unexpected: string[] = [];
    let starts = 0;
    const restartable = new RestartableProcess(
      'worker-1',
      () => {
        starts++;
        return child();
      },
      (name) => unexpected.push(name),
    );
    const first = restartable.process;
    await restartable.kill();
    expect(first.running).toBe(false);
    expect(first.child.signalCode).toBe('SIGKILL');
    await restartable.restart();
    expect(starts).toBe(2);
    expect(restartable.process).not.toBe(first);
    expect(restartable.process.running).toBe(true);
    await restartable.stop(1_000);
    expect(restartable.process.running).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(unexpected).toEqual([]);
  });

  it('reports a process that exits by itself, with its code', async () => {
    const exits: [string, number | null][] = [];
    const restartable = new RestartableProcess(
      'history-1',
      () => child({ exitAfterMs: 10, code: 3 }),
      (name, code) => exits.push([name, code]),
    );
    await restartable.process.exit;
    await new Promise((r) => setTimeout(r, 50));
    expect(exits).toEqual([['history-1', 3]]);
  });

  it('restart of a running process kills the old one first', async () => {
    const restartable = new RestartableProcess('api-1', () => child());
    const first = restartable.process;
    await restartable.restart();
    expect(first.running).toBe(false);
    expect(restartable.process.running).toBe(true);
    await restartable.stop(1_000);
  });
});
