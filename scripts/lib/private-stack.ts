import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataConverter } from '@temporalio/common';
import { airlockDataConverter } from '../../codec/data-converter';
import { newKeyEntry, parseKeyRing } from '../../codec/keys';
import { startAirlockProcesses } from './airlock-processes';
import { devIdentityKeys } from './dev-identity-keys';
import { ensureDevPrincipals, readDevKey } from './dev-principals';
import { freePort } from '../../net/free-port';
import type { ManagedProcess } from './managed-process';
import { motoWorkerEnv, startMotoServer } from './moto-server';
import { seedDemoAws } from './seed-demo-aws';
import { startTemporalDevServer } from './temporal-dev-server';
import { PROJECT_ROOT } from './tools';

export interface PrivateStack {
  apiUrl: string;
  /** The Temporal Web UI, e.g. http://127.0.0.1:41234. */
  uiUrl: string;
  temporalAddress: string;
  namespace: string;
  /** With `encrypted`: the UI's codec endpoint, `<apiUrl>/codec`. */
  codecEndpoint?: string | undefined;
  /** With `encrypted`: what a Temporal client of this stack needs to read its payloads. */
  dataConverter?: DataConverter | undefined;
  /** The API key of a dev principal (etl-bot, alice, ops, …; scripts/lib/dev-principals.ts). */
  key(principalId: string): string;
  /** Every child process, so a caller can kill them if it dies before `stop`. */
  processes(): ManagedProcess[];
  /** Stops API, worker, moto and Temporal in that order, and deletes the temp dir. */
  stop(): Promise<void>;
}

export interface PrivateStackOptions {
  policyFile?: string | undefined;
  /**
   * Payload encryption on: a fresh AIRLOCK_CODEC_KEYS for worker and API, the UI pointed at the
   * API's /codec, and the UI's origin allowed to call it. Everything on 127.0.0.1, so the browser
   * treats UI and API as one site and sends the SameSite=Strict codec session cookie.
   */
  encrypted?: boolean | undefined;
  /** AIRLOCK_* settings for worker and API over the stack's own (e.g. a higher rate limit). */
  env?: Record<string, string> | undefined;
}

/**
 * A whole Airlock of its own, as `npm start` runs it but leaving nothing behind: a Temporal dev
 * server with the Web UI (in memory) and moto seeded with the demo data, both on free ports, then
 * the worker and the API from dist/ with the example policy, dev principals and an embedded audit
 * store in a temp dir. For scripts that need real workflows (the UI screenshot, the UI codec
 * check), not for tests.
 */
export async function startPrivateStack(options: PrivateStackOptions = {}): Promise<PrivateStack> {
  const dir = mkdtempSync(join(tmpdir(), 'airlock-stack-'));
  const children: ManagedProcess[] = [];
  const stoppers: (() => Promise<void>)[] = [async () => rmSync(dir, { recursive: true, force: true })];
  const stop = async (): Promise<void> => {
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne().catch((err: unknown) => console.error(err));
  };
  try {
    // Known before Temporal starts: its UI is told where the codec endpoint is.
    const apiPort = await freePort();
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const codecEndpoint = options.encrypted ? `${apiUrl}/codec` : undefined;
    const codecKeys = options.encrypted ? newKeyEntry('stack1') : undefined;
    const temporal = await startTemporalDevServer(codecEndpoint ? { codecEndpoint } : {});
    children.push(temporal.process);
    stoppers.push(() => temporal.stop());
    if (!temporal.uiUrl) throw new Error('the Temporal dev server started without its Web UI');
    const uiUrl = temporal.uiUrl;

    const moto = await startMotoServer();
    children.push(moto.process);
    stoppers.push(() => moto.stop());
    const roleArn = await seedDemoAws(moto.endpoint);

    const { principalsFile, keysFile } = ensureDevPrincipals(dir);
    // Only the user's non-Airlock environment: an AIRLOCK_* setting of theirs (another Temporal, codec
    // keys, Slack) would make this stack less its own.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AIRLOCK_')));
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      ...motoWorkerEnv(moto.endpoint, roleArn),
      AIRLOCK_TEMPORAL_ADDRESS: temporal.address,
      AIRLOCK_TEMPORAL_NAMESPACE: temporal.namespace,
      AIRLOCK_TEMPORAL_UI_URL: uiUrl,
      AIRLOCK_POLICY_FILE: options.policyFile ?? join(PROJECT_ROOT, 'config', 'example-policy.yaml'),
      AIRLOCK_PRINCIPALS_FILE: principalsFile,
      AIRLOCK_AUDIT_URL: `sqlite:${join(dir, 'audit.db')}`,
      ...devIdentityKeys(dir, { fromEnvironment: false }).env,
      AIRLOCK_API_PORT: String(apiPort),
      // Off: its fixed default port would clash with an `npm start` running beside us.
      AIRLOCK_WORKER_METRICS_PORT: '0',
      // The origin exactly as the browser sends it: scheme, host and port, no path or trailing slash.
      ...(codecKeys ? { AIRLOCK_CODEC_KEYS: codecKeys, AIRLOCK_CODEC_CORS_ORIGINS: new URL(uiUrl).origin } : {}),
      ...options.env,
    };
    const airlock = startAirlockProcesses({ env, apiPort });
    children.push(airlock.worker, airlock.api);
    stoppers.push(() => airlock.stop());
    await airlock.ready;

    return {
      apiUrl,
      uiUrl,
      ...(codecEndpoint ? { codecEndpoint } : {}),
      ...(codecKeys ? { dataConverter: airlockDataConverter(parseKeyRing(codecKeys, 'the private stack')) } : {}),
      temporalAddress: temporal.address,
      namespace: temporal.namespace,
      key: (principalId) => readDevKey(keysFile, principalId),
      processes: () => [...children],
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
