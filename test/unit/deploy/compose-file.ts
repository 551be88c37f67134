import { readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';

export const COMPOSE_FILE = join(PROJECT_ROOT, 'docker-compose.yml');

export type EnvValue = string | number | boolean | null;

/** A service's use of a secret: short syntax (the secret's name) or long syntax. */
export type ServiceSecret = string | { source: string; target?: string };

/** A service volume: short syntax (`source:target[:mode]`) or long syntax. */
export type ServiceVolume = string | { type?: string; source?: string; target?: string };

/** The parts of a Compose service these tests read. */
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, EnvValue> | string[];
  ports?: (string | { target?: number; published?: string | number; host_ip?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  secrets?: ServiceSecret[];
  volumes?: ServiceVolume[];
  deploy?: { replicas?: number };
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  /** Top-level secrets; Compose reads `file` on the host (relative to the project). */
  secrets?: Record<string, { file?: string; environment?: string }>;
}

/** The compose file as Compose reads it: YAML 1.1 `<<` merge keys resolved. Untyped until validated. */
export function loadComposeDocument(): unknown {
  return parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true });
}

/** The same, typed for assertions; the schema test checks the shape. */
export function loadCompose(): ComposeFile {
  return loadComposeDocument() as ComposeFile;
}

/** A service's environment as name → value (null: passed through from the shell or .env). */
export function environmentOf(service: ComposeService): Map<string, EnvValue> {
  const env = service.environment ?? {};
  if (!Array.isArray(env)) return new Map(Object.entries(env));
  return new Map(
    env.map((entry) => {
      const eq = entry.indexOf('=');
      return eq < 0 ? [entry, null] : [entry.slice(0, eq), entry.slice(eq + 1)];
    }),
  );
}

/** A command or entrypoint as its argument list (the string form split on spaces, as Compose does for simple cases). */
export function argsOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);
}

/** The host port a container port is published on (0: one Docker picks, `127.0.0.1::9464`), or undefined. */
export function publishedPort(service: ComposeService, containerPort: number): number | undefined {
  for (const port of service.ports ?? []) {
    if (typeof port === 'string') {
      const parts = port.split(':');
      if (Number(parts[parts.length - 1]) === containerPort && parts.length >= 2) return Number(parts[parts.length - 2] || 0);
    } else if (port.target === containerPort && port.published !== undefined) {
      return Number(port.published);
    }
  }
  return undefined;
}

/**
 * The secret files a service sees, as container path → host file relative to the project
 * (`deploy/...`). Short syntax mounts at /run/secrets/<name>, as Compose does.
 */
export function mountedSecretFiles(compose: ComposeFile, service: ComposeService): Map<string, string> {
  const mounted = new Map<string, string>();
  for (const secret of service.secrets ?? []) {
    const source = typeof secret === 'string' ? secret : secret.source;
    const target = typeof secret === 'string' || !secret.target ? source : secret.target;
    const file = compose.secrets?.[source]?.file;
    if (!file) throw new Error(`secret ${source} is not a file-based top-level secret`);
    mounted.set(target.startsWith('/') ? target : `/run/secrets/${target}`, normalize(file));
  }
  return mounted;
}

/** Host paths a service bind-mounts, relative to the project (named volumes are left out). */
export function bindSources(service: ComposeService): string[] {
  return (service.volumes ?? []).flatMap((volume) => {
    const source = typeof volume === 'string' ? volume.split(':')[0] : volume.type === 'bind' ? volume.source : undefined;
    return source && /^[./]/.test(source) ? [normalize(source)] : [];
  });
}
