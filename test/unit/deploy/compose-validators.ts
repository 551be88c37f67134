import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';

/** A tool that is there, or why it is not (so a skipped check can say why). */
export type Availability = { ok: true; path: string } | { ok: false; reason: string };

/**
 * The Compose Specification schema that scripts/install-tools.sh fetched: $COMPOSE_SCHEMA_PATH,
 * else the path it wrote to .tools/env (empty there when Go was missing).
 */
export function composeSchemaFile(): Availability {
  const fromEnv = process.env.COMPOSE_SCHEMA_PATH;
  const fromFile = readToolsEnv().COMPOSE_SCHEMA_PATH;
  const path = fromEnv || fromFile;
  if (!path) {
    const reason = fromFile === undefined ? 'run `npm run tools` (scripts/install-tools.sh)' : 'scripts/install-tools.sh found no Go to fetch it';
    return { ok: false, reason: `no Compose schema: ${reason}` };
  }
  if (!existsSync(path)) return { ok: false, reason: `Compose schema ${path} is missing: run \`npm run tools\`` };
  return { ok: true, path };
}

function readToolsEnv(): Record<string, string> {
  const file = join(PROJECT_ROOT, '.tools', 'env');
  if (!existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) values[line.slice(0, eq)] = line.slice(eq + 1).trim();
  }
  return values;
}

/** Validates a parsed compose document against the schema; returns one line per error, none when valid. */
export function composeSchemaValidator(schemaFile: string): (document: unknown) => string[] {
  // strict: false because the published schema itself fails Ajv's strict mode (`properties` without
  // `type: object` at its root); strict mode checks schemas, not the documents they validate.
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')) as object);
  return (document) => {
    if (validate(document)) return [];
    return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? 'is invalid'}`);
  };
}

/** `docker compose` (the v2 plugin), when this machine has it. */
export function dockerCompose(): Availability {
  const result = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8', timeout: 15_000 });
  if (result.error) return { ok: false, reason: `no docker CLI (${result.error.message})` };
  if (result.status !== 0) {
    const said = (result.stderr || result.stdout).trim().split('\n')[0];
    return { ok: false, reason: `\`docker compose version\` failed: no compose plugin? (${said})` };
  }
  return { ok: true, path: 'docker' };
}
