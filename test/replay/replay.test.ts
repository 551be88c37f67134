import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { bundleWorkflowCode, Worker, type WorkflowBundle } from '@temporalio/worker';
import { bundleWorkflows } from '../support/stack';

/**
 * Recorded histories (npm run record-histories) replayed through the current workflow code:
 * a change that breaks determinism for in-flight actions fails here.
 */
const HISTORIES_DIR = join(__dirname, 'histories');
const files = readdirSync(HISTORIES_DIR).filter((file) => file.endsWith('.json')).sort();

describe('replay of recorded histories', () => {
  let bundle: WorkflowBundle;
  beforeAll(async () => {
    bundle = await bundleWorkflows();
  });

  it('has a recorded history for every final state', () => {
    const names = files.map((file) => file.replace(/\.json$/, ''));
    expect(names).toEqual(
      expect.arrayContaining(['approved-quorum-2', 'auto-allowed', 'cancelled', 'denied', 'expired', 'rejected', 'refused-votes']),
    );
  });

  it.each(files)('replays %s without nondeterminism', async (file) => {
    const history = readHistory(file);
    expect(history.events.length).toBeGreaterThan(5);
    await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, file)).resolves.toBeUndefined();
  });

  it('fails when the workflow code changes incompatibly', async () => {
    const incompatible = await bundleWorkflowCode({
      workflowsPath: require.resolve('../fixtures/incompatible-workflow'),
      logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} },
    });
    const history = readHistory('denied.json');
    await expect(Worker.runReplayHistory({ workflowBundle: incompatible }, history, 'denied')).rejects.toBeInstanceOf(
      DeterminismViolationError,
    );
  });
});

/** The exported JSON as the CLI wrote it; the worker converts it to protobuf itself. */
function readHistory(file: string): { events: unknown[] } {
  return JSON.parse(readFileSync(join(HISTORIES_DIR, file), 'utf8'));
}
