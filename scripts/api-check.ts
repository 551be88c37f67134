import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { PrivateStack } from './lib/private-stack';
import { unframedSchemathesisLine } from './lib/schemathesis-output';
import { runWithPrivateStack } from './lib/stack-script';
import { PROJECT_ROOT, schemathesisPath } from './lib/tools';

/**
 * `npm run api:check`: schemathesis, every check, against the OpenAPI document a private stack
 * serves (`npm start`'s configuration on free ports, with real Temporal, moto and a worker), once
 * as an agent (etl-bot, requester) and once as an auditor (admin). Exits non-zero on any failure.
 * Settings that schemathesis reads from a file are in schemathesis.toml; a JUnit report of each run
 * is left in .airlock/api-check/ (git-ignored) for CI to keep.
 */
const CALLERS = [
  { as: 'an agent', principal: 'etl-bot' },
  { as: 'an auditor', principal: 'admin' },
] as const;

/** Fixed, so a failure found once is found again; bounded, so both runs take about two minutes on two cores. */
const SEED = '20261203';
const MAX_EXAMPLES = process.env.AIRLOCK_API_CHECK_EXAMPLES ?? '100';

async function main(stack: PrivateStack): Promise<void> {
  const st = schemathesisPath();
  const reports = join(PROJECT_ROOT, '.airlock', 'api-check');
  mkdirSync(reports, { recursive: true });
  const failed: string[] = [];
  for (const caller of CALLERS) {
    console.log(`\nschemathesis as ${caller.as} (${caller.principal}) against ${stack.apiUrl}/openapi.json`);
    // The key goes through the environment (schemathesis.toml reads it), not the command line, which `ps` shows.
    const code = await run(st, reports, { AIRLOCK_API_CHECK_KEY: stack.key(caller.principal) }, [
      '--config-file',
      join(PROJECT_ROOT, 'schemathesis.toml'),
      'run',
      `${stack.apiUrl}/openapi.json`,
      '--checks',
      'all',
      '--max-examples',
      MAX_EXAMPLES,
      '--seed',
      SEED,
      // One worker: with two threads, ast.parse in CPython 3.11 (Hypothesis describing its filters)
      // can fail with "AST constructor recursion depth mismatch", a crash of the tool, not a finding.
      '--workers',
      '1',
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--report',
      'junit',
      '--report-junit-path',
      join(reports, `${caller.principal}.xml`),
    ]);
    if (code !== 0) failed.push(`${caller.as} (${caller.principal}): schemathesis exited ${code}`);
  }
  console.log(`\nJUnit reports in ${relative(process.cwd(), reports)}/`);
  if (failed.length > 0) throw new Error(`schemathesis found failures:\n  ${failed.join('\n  ')}`);
  console.log('\nschemathesis: no failures, as an agent and as an auditor');
}

/** Runs in `cwd` (.airlock/api-check): whatever Hypothesis still writes (.hypothesis/) stays out of the working tree. */
function run(command: string, cwd: string, env: Record<string, string>, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    console.log(`$ st ${args.join(' ')}`);
    const child = spawn(command, args, {
      cwd,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env, NO_COLOR: process.env.NO_COLOR ?? '1' },
    });
    createInterface({ input: child.stdout }).on('line', (line) => console.log(unframedSchemathesisLine(line)));
    child.on('error', reject);
    // 'close', not 'exit': every line of its output has been printed by then.
    child.on('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

// Rate limit raised for the run: schemathesis sends thousands of requests a minute from one key,
// and answers of 429 would test the limiter, not the routes.
runWithPrivateStack({ env: { AIRLOCK_API_RATE_LIMIT_PER_MINUTE: '1000000' } }, main);
