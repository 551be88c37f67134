import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';

/** A child process we started and must stop: output kept for diagnostics, stop is graceful then forced. */
export class ManagedProcess {
  private readonly recent: string[] = [];
  private exited = false;
  readonly exit: Promise<number | null>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
    onLine?: (line: string, stream: 'stdout' | 'stderr') => void,
  ) {
    const emit = (line: string, stream: 'stdout' | 'stderr'): void => {
      if (!line.trim()) return;
      this.recent.push(line);
      if (this.recent.length > 200) this.recent.shift();
      onLine?.(line, stream);
    };
    // A chunk may end mid-line (a long JSON log line): the rest waits for the next chunk.
    const collect = (stream: 'stdout' | 'stderr') => {
      let partial = '';
      return {
        data: (chunk: string): void => {
          const lines = (partial + chunk).split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) emit(line, stream);
        },
        end: (): void => {
          emit(partial, stream);
          partial = '';
        },
      };
    };
    for (const [stream, readable] of [
      ['stdout', child.stdout],
      ['stderr', child.stderr],
    ] as const) {
      const lines = collect(stream);
      readable?.setEncoding('utf8'); // decodes a character split across chunks whole
      readable?.on('data', lines.data);
      readable?.on('end', lines.end);
    }
    this.exit = new Promise((resolveExit) => {
      child.on('exit', (code) => {
        this.exited = true;
        resolveExit(code);
      });
      child.on('error', (err) => {
        this.recent.push(`spawn error: ${err.message}`);
        this.exited = true;
        resolveExit(null);
      });
    });
  }

  static start(
    name: string,
    command: string,
    args: string[],
    options: {
      env?: NodeJS.ProcessEnv | undefined;
      cwd?: string | undefined;
      /** Each line as printed, and which stream printed it. */
      onLine?: ((line: string, stream: 'stdout' | 'stderr') => void) | undefined;
      ownProcessGroup?: boolean | undefined;
      /** Run as this OS user (root only); the child then has no supplementary groups. */
      user?: { uid: number; gid: number } | undefined;
      /** The child's umask, e.g. 0o077 so every file it creates is its owner's alone (Node cannot set a child's umask itself). */
      umask?: number | undefined;
    } = {},
  ): ManagedProcess {
    // `exec` replaces the shell, so the pid (and the signals `stop` sends) are the command's own.
    const [file, argv] =
      options.umask === undefined
        ? [command, args]
        : ['/bin/sh', ['-c', `umask ${options.umask.toString(8).padStart(3, '0')} && exec "$0" "$@"`, command, ...args]];
    const child = spawn(file, argv, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // In its own group a child does not get the terminal's Ctrl-C, so we can stop children in order.
      detached: options.ownProcessGroup ?? false,
      uid: options.user?.uid,
      gid: options.user?.gid,
    });
    return new ManagedProcess(name, child, options.onLine);
  }

  get running(): boolean {
    return !this.exited;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The last lines the process printed, for error messages. */
  tail(lines = 30): string {
    return this.recent.slice(-lines).join('\n');
  }

  /** `signal` (SIGTERM by default), then SIGKILL after the grace period. */
  async stop(graceMs = 10_000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.exited) return;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exit;
    clearTimeout(timer);
  }

  /** Immediate SIGKILL, for crash tests. */
  async kill(): Promise<void> {
    if (this.exited) return;
    this.child.kill('SIGKILL');
    await this.exit;
  }
}

/** Resolves when a TCP connection to host:port succeeds; fails if the process dies or time runs out. */
export async function waitForPort(proc: ManagedProcess, host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${proc.name} exited before listening on ${port}:\n${proc.tail()}`);
    const open = await new Promise<boolean>((resolveOpen) => {
      const socket = connect({ host, port }, () => {
        socket.destroy();
        resolveOpen(true);
      });
      socket.on('error', () => resolveOpen(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${proc.name} did not listen on ${host}:${port} within ${timeoutMs} ms:\n${proc.tail()}`);
}
