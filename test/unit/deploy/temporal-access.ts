import { basename } from 'node:path';
import { bindSources, environmentOf, mountedSecretFiles, type ComposeFile, type ComposeService } from './compose-file';

/**
 * Who may reach Temporal in docker-compose.yml, as checks that each return their problems (none
 * when the file is right), so the tests can also show them failing on a broken copy.
 */

/** Where deploy/temporal/make-certs.sh and deploy/new-identity-key.sh write by default. */
export const CERT_DIR = 'deploy/temporal/certs';
export const IDENTITY_DIR = 'deploy/identity';
export const CA_CERT = `${CERT_DIR}/ca.pem`;
export const SIGNING_KEY = `${IDENTITY_DIR}/signing.key`;
export const VERIFY_KEYS = `${IDENTITY_DIR}/verify.keys`;
export const API = 'airlock-api';
export const WORKER = 'airlock-worker';

/** How one kind of Temporal client names its TLS settings, and the values that keep TLS strict. */
interface ClientTlsSettings {
  kind: string;
  cert: string;
  key: string;
  ca: string;
  serverName: string;
  required: Record<string, string>;
}

const AIRLOCK: ClientTlsSettings = {
  kind: 'Airlock (config/schema.ts)',
  cert: 'AIRLOCK_TEMPORAL_TLS_CERT_FILE',
  key: 'AIRLOCK_TEMPORAL_TLS_KEY_FILE',
  ca: 'AIRLOCK_TEMPORAL_TLS_CA_FILE',
  serverName: 'AIRLOCK_TEMPORAL_TLS_SERVER_NAME',
  required: { AIRLOCK_TEMPORAL_TLS: 'true' },
};
// temporalio/ui: server/docker/config-template.yaml (its host verification is off by default).
const WEB_UI: ClientTlsSettings = {
  kind: 'Temporal Web UI',
  cert: 'TEMPORAL_TLS_CERT',
  key: 'TEMPORAL_TLS_KEY',
  ca: 'TEMPORAL_TLS_CA',
  serverName: 'TEMPORAL_TLS_SERVER_NAME',
  required: { TEMPORAL_TLS_ENABLE_HOST_VERIFICATION: 'true' },
};
// The `temporal` CLI in temporalio/admin-tools: the Go SDK's envconfig variables.
const CLI: ClientTlsSettings = {
  kind: 'temporal CLI',
  cert: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
  key: 'TEMPORAL_TLS_CLIENT_KEY_PATH',
  ca: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  serverName: 'TEMPORAL_TLS_SERVER_NAME',
  required: { TEMPORAL_TLS: 'true' },
};

/** The kind of Temporal client a service is, from what it runs. */
export function clientSettingsOf(service: ComposeService): ClientTlsSettings | undefined {
  if (service.build !== undefined) return AIRLOCK;
  if (service.image?.startsWith('temporalio/ui:')) return WEB_UI;
  if (service.image?.startsWith('temporalio/admin-tools:')) return CLI;
  return undefined;
}

/** Services that dial Temporal's frontend. */
export function temporalClients(compose: ComposeFile): string[] {
  return Object.entries(compose.services)
    .filter(([, service]) => {
      const env = environmentOf(service);
      return env.has('TEMPORAL_ADDRESS') || env.has('AIRLOCK_TEMPORAL_ADDRESS');
    })
    .map(([name]) => name);
}

/** The Temporal server's service name. */
export function temporalServer(compose: ComposeFile): string {
  const found = Object.entries(compose.services).find(([, service]) => service.image?.startsWith('temporalio/server:'));
  if (!found) throw new Error('docker-compose.yml runs no temporalio/server');
  return found[0];
}

/** The mounted host file a setting names, relative to the project; undefined when it names none. */
export function fileBehind(compose: ComposeFile, service: ComposeService, setting: string): string | undefined {
  const value = environmentOf(service).get(setting);
  return typeof value === 'string' ? mountedSecretFiles(compose, service).get(value) : undefined;
}

/** The frontend requires a certificate from the CA, and Temporal's own services present the server's. */
export function frontendProblems(compose: ComposeFile): string[] {
  const name = temporalServer(compose);
  const service = compose.services[name] as ComposeService;
  const env = environmentOf(service);
  const problems: string[] = [];
  if (String(env.get('TEMPORAL_TLS_REQUIRE_CLIENT_AUTH')) !== 'true') problems.push(`${name}: TEMPORAL_TLS_REQUIRE_CLIENT_AUTH is not "true"`);
  const files: Record<string, string> = {
    TEMPORAL_TLS_FRONTEND_CERT: `${CERT_DIR}/server.pem`,
    TEMPORAL_TLS_FRONTEND_KEY: `${CERT_DIR}/server.key`,
    TEMPORAL_TLS_CLIENT1_CA_CERT: CA_CERT,
    TEMPORAL_TLS_SERVER_CERT: `${CERT_DIR}/server.pem`,
    TEMPORAL_TLS_SERVER_KEY: `${CERT_DIR}/server.key`,
    TEMPORAL_TLS_SERVER_CA_CERT: CA_CERT,
  };
  for (const [setting, file] of Object.entries(files)) {
    const behind = fileBehind(compose, service, setting);
    if (behind !== file) problems.push(`${name}: ${setting} names ${behind ?? 'no mounted secret'}, not ${file}`);
  }
  // Temporal's services dial each other by IP: without a name, host verification fails.
  for (const setting of ['TEMPORAL_TLS_INTERNODE_SERVER_NAME', 'TEMPORAL_TLS_FRONTEND_SERVER_NAME']) {
    if (!env.get(setting)) problems.push(`${name}: ${setting} is not set`);
  }
  return problems;
}

/** Every client connects with TLS, checks the server against the CA, and presents a certificate of its own. */
export function clientProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const owners = new Map<string, string>();
  for (const name of temporalClients(compose)) {
    const service = compose.services[name] as ComposeService;
    const settings = clientSettingsOf(service);
    if (!settings) {
      problems.push(`${name}: a Temporal client of a kind these tests do not know: add its TLS settings`);
      continue;
    }
    const env = environmentOf(service);
    for (const [setting, value] of Object.entries(settings.required)) {
      if (String(env.get(setting)) !== value) problems.push(`${name}: ${setting} is not "${value}"`);
    }
    if (!env.get(settings.serverName)) problems.push(`${name}: ${settings.serverName} is not set`);
    if (fileBehind(compose, service, settings.ca) !== CA_CERT) problems.push(`${name}: ${settings.ca} does not name the mounted ${CA_CERT}`);
    const cert = fileBehind(compose, service, settings.cert);
    const key = fileBehind(compose, service, settings.key);
    const certName = cert?.startsWith(`${CERT_DIR}/`) && cert.endsWith('.pem') ? basename(cert, '.pem') : undefined;
    if (!certName || certName === 'ca' || certName === 'server') {
      problems.push(`${name}: ${settings.cert} names ${cert ?? 'no mounted secret'}, not a client certificate in ${CERT_DIR}`);
      continue;
    }
    if (key !== `${CERT_DIR}/${certName}.key`) problems.push(`${name}: ${settings.key} names ${key ?? 'no mounted secret'}, not ${CERT_DIR}/${certName}.key`);
    const owner = owners.get(certName);
    if (owner) problems.push(`${name}: shares the ${certName} certificate with ${owner}`);
    owners.set(certName, name);
  }
  return problems;
}

/** A service sees no private key but its own, and no folder that holds keys. */
export function keyMountProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  const server = temporalServer(compose);
  for (const [name, service] of Object.entries(compose.services)) {
    const settings = clientSettingsOf(service);
    const own = name === server ? `${CERT_DIR}/server.key` : settings && fileBehind(compose, service, settings.key);
    for (const file of mountedSecretFiles(compose, service).values()) {
      if (file.startsWith(`${CERT_DIR}/`) && file.endsWith('.key') && file !== own) problems.push(`${name}: mounts ${file}, which is not its own key`);
    }
    for (const source of bindSources(service)) {
      for (const folder of [CERT_DIR, IDENTITY_DIR]) {
        if (folder === source || folder.startsWith(`${source}/`) || source.startsWith(`${folder}/`)) {
          problems.push(`${name}: bind-mounts ${source}, which holds ${folder}`);
        }
      }
    }
  }
  return problems;
}

/** Nothing turns TLS off or skips checking the server's name. */
export function tlsOffProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    for (const [key, value] of environmentOf(service)) {
      const text = String(value).toLowerCase();
      if (/DISABLE_HOST_VERIFICATION$/.test(key) && text !== 'false') problems.push(`${name}: ${key}=${text}`);
      if ((key === 'AIRLOCK_TEMPORAL_TLS' || key === 'TEMPORAL_TLS') && text === 'false') problems.push(`${name}: ${key}=false`);
    }
  }
  return problems;
}

/** The API alone holds the signing key, from a file; the worker verifies with the public keys. */
export function identityKeyProblems(compose: ComposeFile): string[] {
  const problems: string[] = [];
  for (const [name, service] of Object.entries(compose.services)) {
    const env = environmentOf(service);
    if (env.has('AIRLOCK_IDENTITY_SIGNING_KEY')) problems.push(`${name}: sets AIRLOCK_IDENTITY_SIGNING_KEY inline: use the file`);
    if (name === API) continue;
    if (env.has('AIRLOCK_IDENTITY_SIGNING_KEY_FILE')) problems.push(`${name}: sets AIRLOCK_IDENTITY_SIGNING_KEY_FILE`);
    for (const file of mountedSecretFiles(compose, service).values()) {
      if (file.startsWith(`${IDENTITY_DIR}/`) && /signing/.test(basename(file))) problems.push(`${name}: mounts ${file}`);
    }
  }
  const api = compose.services[API];
  const worker = compose.services[WORKER];
  if (!api || fileBehind(compose, api, 'AIRLOCK_IDENTITY_SIGNING_KEY_FILE') !== SIGNING_KEY) {
    problems.push(`${API}: AIRLOCK_IDENTITY_SIGNING_KEY_FILE does not name the mounted ${SIGNING_KEY}`);
  }
  if (!worker || fileBehind(compose, worker, 'AIRLOCK_IDENTITY_VERIFY_KEYS_FILE') !== VERIFY_KEYS) {
    problems.push(`${WORKER}: AIRLOCK_IDENTITY_VERIFY_KEYS_FILE does not name the mounted ${VERIFY_KEYS}`);
  }
  return problems;
}
