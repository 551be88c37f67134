import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startTemporalUi, temporalUiConfigYaml } from '../../../scripts/lib/temporal-ui';

/**
 * The yaml keys of the UI server's config (`Config`, `Auth`, `CORS` and `Codec` in
 * server/config/config.go of github.com/temporalio/ui-server/v2 v2.54.1, the pinned version). The server ignores a key it does not know, so a
 * misspelt one (`temporalGRPCAddress`) would silently leave the setting at its default.
 */
const UI_SERVER_KEYS = {
  top: new Set([
    'temporalGrpcAddress',
    'host',
    'port',
    'publicPath',
    'tls',
    'auth',
    'enableUi',
    'cloudUi',
    'uiAssetPath',
    'cors',
    'defaultNamespace',
    'feedbackUrl',
    'disableNewsFetch',
    'showTemporalSystemNamespace',
    'navCollapsedByDefault',
    'refreshInterval',
    'codec',
    'disableWriteActions',
    'workflowTerminateDisabled',
    'workflowCancelDisabled',
    'workflowSignalDisabled',
    'workflowUpdateDisabled',
    'workflowResetDisabled',
    'workflowPauseDisabled',
    'batchActionsDisabled',
    'startWorkflowDisabled',
    'hideWorkflowQueryErrors',
    'refreshWorkflowCountsDisabled',
    'activityCommandsDisabled',
    'forwardHeaders',
    'hideLogs',
    'uiServerTLS',
  ]),
  auth: new Set(['enabled', 'redirectToProvider', 'providers', 'maxSessionDuration']),
  cors: new Set(['allowOrigins', 'unsafeAllowAllOrigins', 'cookieInsecure']),
  codec: new Set(['endpoint', 'passAccessToken', 'includeCredentials', 'defaultErrorMessage', 'defaultErrorLink']),
};

/** Every key of the config, nested ones as `auth.enabled`, that the pinned UI server does not read. */
function unknownKeys(config: Record<string, unknown>): string[] {
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!UI_SERVER_KEYS.top.has(key)) unknown.push(key);
    const nested = UI_SERVER_KEYS[key as keyof typeof UI_SERVER_KEYS];
    if (key !== 'top' && nested && typeof value === 'object' && value !== null) {
      for (const inner of Object.keys(value)) if (!nested.has(inner)) unknown.push(`${key}.${inner}`);
    }
  }
  return unknown;
}

describe('npm run cluster: the Temporal UI server config', () => {
  it('points at the frontend, listens on 127.0.0.1 only, serves the web app, and asks nobody to sign in', () => {
    const config = parse(temporalUiConfigYaml({ temporalAddress: '127.0.0.1:7333', port: 8280 }));
    expect(config).toMatchObject({
      temporalGrpcAddress: '127.0.0.1:7333',
      host: '127.0.0.1',
      port: 8280,
      publicPath: '',
      enableUi: true,
      defaultNamespace: 'default',
      auth: { enabled: false },
      // Plain HTTP: the CSRF cookie (echoed in X-CSRF-Token on every write) without `Secure`, as the CLI's dev-server UI sets it.
      cors: { cookieInsecure: true },
      // The news feed is fetched from the internet.
      disableNewsFetch: true,
    });
    expect(config.codec).toBeUndefined();
    expect(unknownKeys(config)).toEqual([]);
  });

  it("sends the browser's credentials to a codec endpoint (Airlock's codec knows a browser by its session cookie)", () => {
    const config = parse(temporalUiConfigYaml({ temporalAddress: '127.0.0.1:7333', port: 8280, codecEndpoint: 'http://localhost:8180/codec' }));
    expect(config.codec).toEqual({ endpoint: 'http://localhost:8180/codec', includeCredentials: true, passAccessToken: false });
    expect(unknownKeys(config)).toEqual([]);
  });

  it('refuses a public path the UI server would mangle, and a port that is none', () => {
    expect(() => temporalUiConfigYaml({ temporalAddress: 'a:1', port: 8280, publicPath: 'temporal' })).toThrow(/public path/);
    expect(() => temporalUiConfigYaml({ temporalAddress: 'a:1', port: 8280, publicPath: '/temporal/' })).toThrow(/public path/);
    expect(parse(temporalUiConfigYaml({ temporalAddress: 'a:1', port: 8280, publicPath: '/temporal' })).publicPath).toBe('/temporal');
    expect(() => temporalUiConfigYaml({ temporalAddress: 'a:1', port: 0 })).toThrow(/port/);
  });
});

/**
 * A stand-in for the UI server binary: it finds its config where the real one does
 * (`<--root>/<--config>/<--env>.yaml`) and answers /healthz on the host and port written there.
 */
const FAKE_UI_SERVER = `
const { readFileSync } = require('node:fs');
const { createServer } = require('node:http');
const args = process.argv.slice(2);
const flag = (name) => args[args.indexOf(name) + 1];
if (args[args.length - 1] !== 'start') { console.error('no start command'); process.exit(2); }
const file = flag('--root') + '/' + flag('--config') + '/' + flag('--env') + '.yaml';
const text = readFileSync(file, 'utf8');
const host = /^host: (.+)$/m.exec(text)[1];
const port = Number(/^port: (\\d+)$/m.exec(text)[1]);
console.log('Loading config files=[' + file + ']');
createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end()).listen(port, host);
process.on('SIGTERM', () => process.exit(0));
`;

describe('startTemporalUi', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'airlock-temporal-ui-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fakeBinary = (body: string): string => {
    const binary = join(dir, 'temporal-ui-server');
    writeFileSync(binary, `#!${process.execPath}\n${body}`, { mode: 0o755 });
    return binary;
  };

  it('writes a private config under the state dir, starts the server on it, and returns once it answers HTTP', async () => {
    const lines: string[] = [];
    const stateDir = join(dir, 'state');
    const ui = await startTemporalUi({
      binary: fakeBinary(FAKE_UI_SERVER),
      stateDir,
      temporalAddress: '127.0.0.1:7333',
      onLine: (line) => lines.push(line),
    });
    try {
      expect(ui.configFile).toBe(join(stateDir, 'temporal-ui', 'airlock.yaml'));
      expect(statSync(ui.configFile).mode & 0o777).toBe(0o600);
      expect(statSync(join(stateDir, 'temporal-ui')).mode & 0o777).toBe(0o700);
      expect(ui.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${ui.url}/healthz`)).status).toBe(200);
      expect(lines).toContain(`Loading config files=[${ui.configFile}]`);
    } finally {
      await ui.stop();
    }
    expect(ui.process.running).toBe(false);
  });

  it('fails with what the server said when it exits instead of serving', async () => {
    const binary = fakeBinary("console.error('config file corrupted: temporal frontend gRPC address is not set'); process.exit(1);");
    await expect(startTemporalUi({ binary, stateDir: join(dir, 'state'), temporalAddress: '' })).rejects.toThrow(
      /exited before answering[\s\S]*temporal frontend gRPC address is not set/,
    );
  });
});
