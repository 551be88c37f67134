import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import type { Machine } from './publish';
import { writeResults } from './publish';

/**
 * The worker-memory part at its full target takes longer than `npm run bench` may, so a full run
 * is asked for (AIRLOCK_BENCH_PENDING_SECONDS, AIRLOCK_BENCH_PENDING_TARGET) and its results are kept under their own name:
 * the bounded runs after it do not overwrite them, nor do full runs that went less far (the
 * caller decides: replacesFullSize), and the report can cite them with their date.
 */
const FULL_SIZE_NAME = 'workflow-full-size';

export interface FullSizeRecord<T> {
  machine: Machine;
  pending: T;
}

/** Keeps the record of a run that reached its full target. */
export function keepFullSize<T>(record: FullSizeRecord<T>): string {
  return writeResults(FULL_SIZE_NAME, record);
}

/** The last full-size record, if one was kept. */
export function lastFullSize<T>(): FullSizeRecord<T> | undefined {
  const file = join(PROJECT_ROOT, 'bench', 'results', `${FULL_SIZE_NAME}.json`);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as FullSizeRecord<T>) : undefined;
}
