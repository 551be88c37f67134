import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from '../../net/free-port';
import { ManagedProcess } from './managed-process';
import { PRIVATE_FILE_MODE, privateStateDir } from './private-state';
import { PROJECT_ROOT } from './tools';

/**
 * The UI server version scripts/install-temporal-ui.sh builds: the one Temporal CLI v1.9.1 embeds
 * beside server v1.32.0, on the same API version (go.temporal.io/api v1.63.5) as server v1.32.2.
 */
export const TEMPORAL_UI_VERSION = 'v2.54.1';

const UI_DIR = join(PROJECT_ROOT, '.tools', 'temporal-ui');
const LOOPBACK = '127.0.0.1';
/** The UI server reads `<root>/<config>/<env>.yaml`: these name our file under the state dir. */
const CONFIG_FOLDER = 'temporal-ui';
const CONFIG_ENV = 'airlock';

/** The binary scripts/install-temporal-ui.sh built (run it first). */
export function temporalUiBinary(): string {
  const binary = join(UI_DIR, 'bin', 'temporal-ui-server');
  const stamp = join(UI_DIR, 'version');
  const built = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : undefined;
  if (!existsSync(binary) || built !== TEMPORAL_UI_VERSION) {
    throw new Error(`the Temporal UI server ${TEMPORAL_UI_VERSION} is not built: run \`bash scripts/install-temporal-ui.sh\``);
  }
  return binary;
}

export interface TemporalUiConfigInput {
  /** The frontend's gRPC address, e.g. 127.0.0.1:7333. */
  temporalAddress: string;
  port: number;
  /** Shown first in the namespace picker. */
  defaultNamespace?: string | undefined;
  /** Under a path prefix, e.g. `/temporal` behind a proxy; empty serves at the root. */
  publicPath?: string | undefined;
  /**
   * A remote codec (Airlock's `/codec` with payload encryption on): the browser calls it with
   * credentials, since Airlock's codec knows a browser by its session cookie; the UI's origin must
   * be in the API's AIRLOCK_CODEC_CORS_ORIGINS.
   */
  codecEndpoint?: string | undefined;
}

/**
 * The UI server's config file, with the settings Temporal's CLI gives the UI of its dev server: the
 * frontend's address, bound to 127.0.0.1 only, no sign-in (`auth.enabled: false`: whoever reaches
 * the port reads and changes every workflow, as through the frontend itself, which has no authorizer
 * either), the CSRF cookie without `Secure` since it is plain HTTP, and no news fetched from the
 * internet. No TLS to the frontend: it listens on loopback without.
 */
export function temporalUiConfigYaml(input: TemporalUiConfigInput): string {
  const publicPath = input.publicPath ?? '';
  if (publicPath !== '' && (!publicPath.startsWith('/') || publicPath.endsWith('/'))) {
    throw new Error(`the UI's public path must start with / and not end with one (got ${publicPath})`);
  }
  if (!Number.isInteger(input.port) || input.port <= 0 || input.port > 65535) throw new Error(`not a port: ${input.port}`);
  const config = {
    temporalGrpcAddress: input.temporalAddress,
    host: LOOPBACK,
    port: input.port,
    publicPath,
    enableUi: true,
    defaultNamespace: input.defaultNamespace ?? 'default',
    auth: { enabled: false },
    cors: { cookieInsecure: true },
    disableNewsFetch: true,
    // One line per request otherwise, on a console the cluster's services share.
    hideLogs: true,
    ...(input.codecEndpoint ? { codec: { endpoint: input.codecEndpoint, includeCredentials: true, passAccessToken: false } } : {}),
  };
  return `# Written by scripts/lib/temporal-ui.ts on every start of the Temporal UI server (${TEMPORAL_UI_VERSION}).\n${stringify(config)}`;
}

export interface TemporalUi {
  /** e.g. http://127.0.0.1:8280 (with the public path, if any). */
  url: string;
  configFile: string;
  process: ManagedProcess;
  stop(): Promise<void>;
}

/**
 * Writes the config into `<stateDir>/temporal-ui/airlock.yaml` and starts `temporal-ui-server
 * --root <stateDir> --config temporal-ui --env airlock start`; resolves once the UI answers HTTP
 * (its page and its API both come from this one process, the web app embedded in the binary).
 */
export async function startTemporalUi(options: {
  binary: string;
  stateDir: string;
  temporalAddress: string;
  /** A free loopback port if omitted. */
  port?: number | undefined;
  defaultNamespace?: string | undefined;
  publicPath?: string | undefined;
  codecEndpoint?: string | undefined;
  onLine?: ((line: string) => void) | undefined;
  ownProcessGroup?: boolean | undefined;
  timeoutMs?: number | undefined;
}): Promise<TemporalUi> {
  const port = options.port ?? (await freePort());
  const configDir = join(options.stateDir, CONFIG_FOLDER);
  privateStateDir(configDir);
  const configFile = join(configDir, `${CONFIG_ENV}.yaml`);
  const yaml = temporalUiConfigYaml({
    temporalAddress: options.temporalAddress,
    port,
    defaultNamespace: options.defaultNamespace,
    publicPath: options.publicPath,
    codecEndpoint: options.codecEndpoint,
  });
  writeFileSync(configFile, yaml, { mode: PRIVATE_FILE_MODE });
  // Flags, not the TEMPORAL_ROOT / TEMPORAL_CONFIG_DIR / TEMPORAL_ENVIRONMENT variables, which a shell may have set for another server.
  const proc = ManagedProcess.start('temporal-ui', options.binary, ['--root', options.stateDir, '--config', CONFIG_FOLDER, '--env', CONFIG_ENV, 'start'], {
    onLine: options.onLine,
    ownProcessGroup: options.ownProcessGroup,
  });
  const url = `http://${LOOPBACK}:${port}${options.publicPath ?? ''}`;
  try {
    await waitForHttp(proc, `http://${LOOPBACK}:${port}/healthz`, options.timeoutMs ?? 30_000);
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, configFile, process: proc, stop: () => proc.stop() };
}

/** Polls until the URL answers 200; fails if the process exits or time runs out. */
async function waitForHttp(proc: ManagedProcess, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${proc.name} exited before answering ${url}:\n${proc.tail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${proc.name} did not answer ${url} within ${timeoutMs / 1000} s (${last}):\n${proc.tail()}`);
}
