import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTemporalDevServer, type DevServer } from '../../scripts/lib/temporal-dev-server';
import { listeningSockets } from '../support/listening-sockets';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

/**
 * The dev server `npm start` runs checks no identity: whoever reaches its ports or reads its SQLite
 * file sees every workflow and can send it anything. Its ports are loopback only and its file is
 * its owner's alone.
 */
describe('the dev server that npm start runs', () => {
  const root = mkdtempSync(join(tmpdir(), 'airlock-devserver-'));
  const stateDir = join(root, '.airlock');
  const dbFile = join(stateDir, 'temporal.db');
  let server: DevServer;

  beforeAll(async () => {
    server = await startTemporalDevServer({ dbFile }); // with its Web UI, as npm start runs it
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('keeps its SQLite file, and the files SQLite keeps beside it, 0600 in a 0700 folder', () => {
    expect(modeOf(stateDir)).toBe(0o700);
    const files = readdirSync(stateDir);
    expect(files).toContain('temporal.db');
    for (const name of files) expect([name, modeOf(join(stateDir, name))]).toEqual([name, 0o600]);
  });

  it('listens on 127.0.0.1 only: frontend, HTTP API, metrics and Web UI', () => {
    const pid = server.process.pid;
    expect(pid).toBeDefined();
    const sockets = listeningSockets(pid ?? 0);
    if (!sockets) return; // no /proc (not Linux): nothing to read the bindings from
    const ports = sockets.map((socket) => socket.port);
    expect(ports).toEqual(expect.arrayContaining([Number(server.address.split(':')[1]), Number(new URL(server.uiUrl ?? '').port)]));
    expect(sockets.filter((socket) => socket.address !== '127.0.0.1')).toEqual([]);
  });
});
