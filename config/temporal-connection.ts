import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TLSConfig } from '@temporalio/client';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { retryUntil } from '../net/retry-until';
import { ConfigError } from './load';
import type { AirlockConfig } from './schema';

/** The settings that decide how to reach Temporal (a self-hosted cluster, or Temporal Cloud). */
export type TemporalConnectionSettings = Pick<
  AirlockConfig,
  | 'AIRLOCK_TEMPORAL_ADDRESS'
  | 'AIRLOCK_TEMPORAL_API_KEY'
  | 'AIRLOCK_TEMPORAL_TLS'
  | 'AIRLOCK_TEMPORAL_TLS_CERT_FILE'
  | 'AIRLOCK_TEMPORAL_TLS_KEY_FILE'
  | 'AIRLOCK_TEMPORAL_TLS_CA_FILE'
  | 'AIRLOCK_TEMPORAL_TLS_SERVER_NAME'
>;

/** What the client's and the worker's connection options have in common. */
interface TemporalConnectionBase {
  address: string;
  /** `false` for plaintext; otherwise the TLS settings, with file contents already read. */
  tls: TLSConfig | false;
  apiKey?: string;
}

/**
 * Connects with `connect`, and while Temporal does not answer (the SDK gives up after 10 s) tries
 * again until AIRLOCK_TEMPORAL_CONNECT_TIMEOUT has passed, saying so on stderr each time; then the
 * last error stops the start.
 */
export function connectToTemporal<T>(
  connect: () => Promise<T>,
  config: Pick<AirlockConfig, 'AIRLOCK_TEMPORAL_ADDRESS' | 'AIRLOCK_TEMPORAL_CONNECT_TIMEOUT'>,
  log: (line: string) => void = (line) => console.error(line),
): Promise<T> {
  const withinMs = config.AIRLOCK_TEMPORAL_CONNECT_TIMEOUT;
  return retryUntil(connect, {
    withinMs,
    pauseMs: 2_000,
    onRetry: (err, elapsedMs) =>
      log(
        `Temporal at ${config.AIRLOCK_TEMPORAL_ADDRESS} not reachable (${err instanceof Error ? err.message : String(err)}); ` +
          `trying again, ${Math.round((withinMs - elapsedMs) / 1000)} s left (AIRLOCK_TEMPORAL_CONNECT_TIMEOUT)`,
      ),
  });
}

/** Options for `Connection.connect` (@temporalio/client): the API. Reads the TLS files once, now. */
export function clientConnectionOptions(config: TemporalConnectionSettings): ConnectionOptions {
  return temporalConnectionBase(config);
}

/** Options for `NativeConnection.connect` (@temporalio/worker): the worker. Reads the TLS files once, now. */
export function workerConnectionOptions(config: TemporalConnectionSettings): NativeConnectionOptions {
  return temporalConnectionBase(config);
}

/**
 * Maps the settings to SDK options. TLS is on when asked for, or by default when an API key or a
 * client certificate is set: Temporal Cloud accepts neither over plaintext.
 */
function temporalConnectionBase(config: TemporalConnectionSettings): TemporalConnectionBase {
  const certFile = config.AIRLOCK_TEMPORAL_TLS_CERT_FILE;
  const keyFile = config.AIRLOCK_TEMPORAL_TLS_KEY_FILE;
  // The schema refuses half a pair; checked again because callers may build settings by hand.
  if (Boolean(certFile) !== Boolean(keyFile)) {
    const missing = certFile ? 'AIRLOCK_TEMPORAL_TLS_KEY_FILE' : 'AIRLOCK_TEMPORAL_TLS_CERT_FILE';
    throw configError(missing, 'required: an mTLS client certificate needs both the certificate and the key file');
  }
  const apiKey = config.AIRLOCK_TEMPORAL_API_KEY;
  const tlsOn = config.AIRLOCK_TEMPORAL_TLS ?? Boolean(apiKey || certFile);
  const base: TemporalConnectionBase = { address: config.AIRLOCK_TEMPORAL_ADDRESS, tls: false };
  if (apiKey) base.apiKey = apiKey;
  if (!tlsOn) return base;

  const tls: TLSConfig = {};
  if (certFile && keyFile) {
    tls.clientCertPair = {
      crt: readPem('AIRLOCK_TEMPORAL_TLS_CERT_FILE', certFile),
      key: readPem('AIRLOCK_TEMPORAL_TLS_KEY_FILE', keyFile),
    };
  }
  if (config.AIRLOCK_TEMPORAL_TLS_CA_FILE) {
    tls.serverRootCACertificate = readPem('AIRLOCK_TEMPORAL_TLS_CA_FILE', config.AIRLOCK_TEMPORAL_TLS_CA_FILE);
  }
  if (config.AIRLOCK_TEMPORAL_TLS_SERVER_NAME) tls.serverNameOverride = config.AIRLOCK_TEMPORAL_TLS_SERVER_NAME;
  base.tls = tls;
  return base;
}

/** Reads one PEM file at start-up, so a bad path stops the process naming the variable, not a gRPC error later. */
function readPem(variable: string, path: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    // fs errors carry a code (ENOENT, EACCES, EISDIR); instanceof Error is unreliable across realms (jest).
    const code = (err as NodeJS.ErrnoException | undefined)?.code;
    throw configError(variable, `cannot read ${path} (${code ?? String(err)})`);
  }
  if (bytes.length === 0) throw configError(variable, `${path} is empty`);
  return bytes;
}

function configError(variable: string, message: string): ConfigError {
  return new ConfigError(`invalid configuration:\n  ${variable}: ${message}`);
}
