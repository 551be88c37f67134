import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import { freePort } from '../../net/free-port';
import { ManagedProcess, waitForPort } from '../../scripts/lib/managed-process';
import { startTemporalDevServer } from '../../scripts/lib/temporal-dev-server';
import { toolPaths } from '../../scripts/lib/tools';
import { DecisionTimeAttribute, SEARCH_ATTRIBUTES, StatusAttribute } from '../../workflows/search-attributes';

/**
 * `npm start` keeps Temporal's state in .airlock/temporal.db across upgrades. A file made before a
 * search attribute existed must gain it, or every new action that sets it is refused. The dev
 * server caches search attributes (DEV_SERVER_DYNAMIC_CONFIG), so the attribute must also be
 * usable at once, not a minute later.
 */
describe('the dev server on a state file from an older version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-devdb-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('registers the search attributes the file lacks, usable as soon as it has started', async () => {
    const dbFile = join(dir, 'temporal.db');
    const port = await freePort();
    // An "old" file: made by the CLI with only one of today's attributes.
    const old = ManagedProcess.start('old-temporal', toolPaths().temporalCli, [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--db-filename',
      dbFile,
      '--http-port',
      String(await freePort()),
      '--metrics-port',
      String(await freePort()),
      '--log-level',
      'warn',
      '--search-attribute',
      'AirlockStatus=Keyword',
    ]);
    await waitForPort(old, '127.0.0.1', port, 60_000);
    const before = await customAttributes(`127.0.0.1:${port}`);
    await old.stop();
    expect(before).toContain('AirlockStatus');
    expect(before).not.toContain('AirlockDecisionTime');

    const server = await startTemporalDevServer({ dbFile, port, headless: true });
    try {
      const after = await customAttributes(server.address);
      expect(after).toEqual(expect.arrayContaining(SEARCH_ATTRIBUTES.map((attribute) => attribute.name)));
      // The frontend validates a start's attributes against what it has cached: a stale cache refuses the new one.
      const connection = await Connection.connect({ address: server.address });
      try {
        const handle = await new Client({ connection }).workflow.start('privilegedAction', {
          taskQueue: 'no-worker-polls-this',
          workflowId: `attributes-${Date.now()}`,
          typedSearchAttributes: new TypedSearchAttributes([
            { key: StatusAttribute, value: 'evaluating' },
            { key: DecisionTimeAttribute, value: new Date() },
          ]),
        });
        const described = await handle.describe();
        expect(described.typedSearchAttributes.get(DecisionTimeAttribute)).toBeInstanceOf(Date);
        await handle.terminate('test done');
      } finally {
        await connection.close();
      }
    } finally {
      await server.stop();
    }
  });
});

async function customAttributes(address: string): Promise<string[]> {
  const connection = await Connection.connect({ address });
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        const { customAttributes: attributes } = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
        return Object.keys(attributes ?? {});
      } catch (err) {
        if (attempt > 100) throw err; // the frontend listens before the namespace is ready
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } finally {
    await connection.close();
  }
}
