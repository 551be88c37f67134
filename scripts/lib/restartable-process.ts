import type { ManagedProcess } from './managed-process';

/** A process started by `start`, and when it is ready to serve. */
export interface StartedProcess {
  process: ManagedProcess;
  ready: Promise<unknown>;
}

/**
 * One role of a cluster (a Temporal service, an Airlock worker or API) that can be killed and
 * started again at the same ports, as a crashed host comes back. `process` is the current one.
 */
export class RestartableProcess {
  private started: StartedProcess;
  private deliberate = false;

  constructor(
    readonly name: string,
    private readonly start: () => StartedProcess,
    /** Called when the current process exits without `kill` or `stop` asking it to. */
    private readonly onUnexpectedExit: (name: string, code: number | null, tail: string) => void = () => undefined,
  ) {
    this.started = this.launch();
  }

  get process(): ManagedProcess {
    return this.started.process;
  }

  get ready(): Promise<unknown> {
    return this.started.ready;
  }

  /** SIGKILL, as a crash: no drain, no goodbye to the cluster. */
  async kill(): Promise<void> {
    this.deliberate = true;
    await this.started.process.kill();
  }

  /** Starts it again (after `kill` or `stop`) and waits until it serves. */
  async restart(): Promise<void> {
    if (this.started.process.running) await this.kill();
    this.started = this.launch();
    await this.started.ready;
  }

  /** A graceful stop (SIGTERM, then SIGKILL after graceMs). */
  async stop(graceMs?: number): Promise<void> {
    this.deliberate = true;
    await this.started.process.stop(graceMs);
  }

  private launch(): StartedProcess {
    this.deliberate = false;
    const started = this.start();
    void started.process.exit.then((code) => {
      if (!this.deliberate && this.started === started) this.onUnexpectedExit(this.name, code, started.process.tail(10));
    });
    return started;
  }
}
