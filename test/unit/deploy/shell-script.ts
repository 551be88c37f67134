import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';

/** What a script run left behind. */
export interface ScriptRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one of the repo's bash scripts (a path from the project root) with arguments, as a user would. */
export function runScript(script: string, args: string[]): ScriptRun {
  const result = spawnSync('bash', [join(PROJECT_ROOT, script), ...args], { encoding: 'utf8', timeout: 60_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `openssl <args>`: its exit status and output, for checks the scripts' users would make. */
export function openssl(args: string[]): ScriptRun {
  const result = spawnSync('openssl', args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
