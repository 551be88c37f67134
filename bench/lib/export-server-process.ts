import { join } from 'node:path';
import { ManagedProcess } from '../../scripts/lib/managed-process';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { RSS_PATH, SERVER_ENV, type RssSample } from './export-protocol';

const SERVER_ENTRY = join(PROJECT_ROOT, 'dist', 'bench', 'audit-export-server.js');

/** A running export server child: its base URL, its memory on demand, and a way to stop it. */
export interface ExportServer {
  baseUrl: string;
  rss(): Promise<RssSample>;
  stop(): Promise<void>;
}

/** Starts bench/audit-export-server.js on a store (with extra node flags, e.g. a heap cap) and waits until it listens. */
export async function startExportServer(auditUrl: string, auditorKey: string, nodeArgs: string[] = [], timeoutMs = 30_000): Promise<ExportServer> {
  let announced: (port: number) => void = () => undefined;
  const listening = new Promise<number>((resolvePort) => (announced = resolvePort));
  const child = ManagedProcess.start('audit-export-server', process.execPath, ['--expose-gc', ...nodeArgs, SERVER_ENTRY], {
    env: { ...process.env, [SERVER_ENV.auditUrl]: auditUrl, [SERVER_ENV.auditorKey]: auditorKey },
    onLine: (line) => {
      const port = /^\{"port":(\d+)\}$/.exec(line)?.[1];
      if (port) announced(Number(port));
    },
  });
  let timer: NodeJS.Timeout | undefined;
  const failed = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the export server did not listen within ${timeoutMs} ms:\n${child.tail()}`)), timeoutMs);
    void child.exit.then((code) => reject(new Error(`the export server exited (${code}) before listening:\n${child.tail()}`)));
  });
  try {
    const port = await Promise.race([listening, failed]);
    const baseUrl = `http://127.0.0.1:${port}`;
    return {
      baseUrl,
      rss: async () => (await (await fetch(`${baseUrl}${RSS_PATH}`)).json()) as RssSample,
      stop: () => child.stop(),
    };
  } catch (err) {
    await child.stop();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
