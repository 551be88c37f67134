import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ActionView } from '../api/response-schemas';
import { freePort, isPortFree } from '../net/free-port';
import { caller, runPartnerExport, type Call } from './lib/demo-action';
import { readDevKey } from './lib/dev-principals';
import { ManagedProcess } from './lib/managed-process';
import { PROJECT_ROOT } from './lib/tools';

/**
 * `npm run start:check`: the README's quick start as a new user meets it on a fresh clone. `npm
 * start` until it says it is running; the walkthrough's approval through the HTTP API with the
 * keys it wrote (and a second vote refused); the trail read back and `npm run audit:verify`; then
 * Ctrl-C, which must stop everything (exit 0, every port it opened closed); then `npm start`
 * again, which must find the action and the keys where it left them. CI runs it after the tests.
 *
 * It runs in this checkout, on ports of its own, and needs `.airlock/` without npm start's state:
 * it refuses to write an action into a developer's own (run it in a fresh clone).
 */
const STATE_DIR = join(PROJECT_ROOT, '.airlock');
const READY_LINE = 'Airlock is running.';
/** A first start installs nothing (the tools are there) but bundles the workflows and starts five servers. */
const READY_TIMEOUT_MS = 240_000;
const STOP_TIMEOUT_MS = 60_000;

interface Started {
  process: ManagedProcess;
  lines: string[];
}

/** The npm start that runs now, stopped if a step fails. */
let current: Started | undefined;

async function main(): Promise<void> {
  const leftover = ['temporal.db', 'dev-keys.env', 'audit.db'].filter((file) => existsSync(join(STATE_DIR, file)));
  if (leftover.length > 0) {
    throw new Error(`${STATE_DIR} holds npm start's state already (${leftover.join(', ')}): run this check in a fresh clone`);
  }
  const ports = {
    AIRLOCK_API_PORT: await freePort(),
    AIRLOCK_TEMPORAL_PORT: await freePort(),
    AIRLOCK_TEMPORAL_UI_PORT: await freePort(),
    AIRLOCK_OIDC_PORT: await freePort(),
    AIRLOCK_DEV_SMTP_PORT: await freePort(),
    AIRLOCK_WORKER_METRICS_PORT: await freePort(),
  };
  const env = { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])) };
  const apiUrl = `http://127.0.0.1:${ports.AIRLOCK_API_PORT}`;

  const first = await startAndWait(env, 'first start');
  const keysFile = join(STATE_DIR, 'dev-keys.env');
  const key = (principal: string): string => readDevKey(keysFile, principal);
  const call = caller({ apiUrl, key });
  const action = await step('the walkthrough: etl-bot asks, alice approves, the copy runs', () => walkthrough(apiUrl, key, call));
  await step('the trail: lineage in order, and npm run audit:verify', () => checkTrail(call, action.id));
  await step('Ctrl-C stops everything', () => stopAndCheck(first, Object.values(ports)));

  const keysBefore = key('etl-bot');
  const second = await startAndWait(env, 'second start');
  await step('the second start keeps the action and the keys', async () => {
    if (second.lines.some((line) => line.includes('new keys generated'))) throw new Error('the second start generated new API keys');
    if (key('etl-bot') !== keysBefore) throw new Error("etl-bot's key changed between starts");
    const again = await call<ActionView>('alice', 'GET', `/v1/actions/${encodeURIComponent(action.id)}`);
    if (again.status !== 'succeeded') throw new Error(`after the restart ${action.id} is ${again.status}, not succeeded`);
  });
  await step('Ctrl-C stops everything again', () => stopAndCheck(second, Object.values(ports)));
  console.log('start-check: OK');
}

/** `npm start` in its own process group (as a terminal runs it), until it prints READY_LINE. */
async function startAndWait(env: NodeJS.ProcessEnv, what: string): Promise<Started> {
  const began = Date.now();
  const lines: string[] = [];
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const child = ManagedProcess.start('npm start', 'npm', ['start'], {
    env,
    cwd: PROJECT_ROOT,
    ownProcessGroup: true,
    onLine: (line) => {
      lines.push(line);
      if (line.includes(READY_LINE)) onReady();
    },
  });
  const started = { process: child, lines };
  current = started;
  const outcome = await Promise.race([
    ready.then(() => 'ready' as const),
    child.exit.then((code) => `exited (${code})`),
    sleep(READY_TIMEOUT_MS, undefined, { ref: false }).then(() => `not ready within ${READY_TIMEOUT_MS / 1000} s`),
  ]);
  if (outcome !== 'ready') {
    await interrupt(started).catch(() => undefined);
    throw new Error(`${what}: npm start ${outcome}; its last lines:\n${child.tail(40)}`);
  }
  console.log(`start-check: ${what}: running after ${((Date.now() - began) / 1000).toFixed(1)} s`);
  return started;
}

async function walkthrough(apiUrl: string, key: (principal: string) => string, call: Call): Promise<ActionView> {
  const action = await runPartnerExport({ apiUrl, key });
  const outputs = action.result?.outputs ?? {};
  if (outputs.destination !== 's3://airlock-exports/partners/northwind/2026-q3-revenue.csv') {
    throw new Error(`the copy reports ${JSON.stringify(outputs)}`);
  }
  if (JSON.stringify(action).includes('secretAccessKey') || JSON.stringify(action).includes('sessionToken')) {
    throw new Error('the action shows a credential');
  }
  // A second vote on the closed action: refused 409 (the call throws on any other answer).
  await call('alice', 'POST', `/v1/actions/${encodeURIComponent(action.id)}/decisions`, { decision: 'approve' }, 409);
  return action;
}

/** The kinds the README's walkthrough shows, in order, then the refused second vote, which the API records. */
const WALKTHROUGH_TRAIL = [
  'request.received',
  'credential.issued',
  'preview.completed',
  'policy.decided',
  'vote.recorded',
  'action.approved',
  'execution.started',
  'credential.issued',
  'operation.succeeded',
  'vote.refused',
];

async function checkTrail(call: Call, actionId: string): Promise<void> {
  const { events } = await call<{ events: { kind: string }[] }>('admin', 'GET', `/v1/actions/${encodeURIComponent(actionId)}/lineage`);
  const kinds = events.map((event) => event.kind);
  if (JSON.stringify(kinds) !== JSON.stringify(WALKTHROUGH_TRAIL)) throw new Error(`the trail is ${kinds.join(', ')}`);
  const verify = spawnSync('npm', ['run', '--silent', 'audit:verify'], { cwd: PROJECT_ROOT, encoding: 'utf8' });
  if (verify.status !== 0 || !/audit chain: OK/.test(verify.stdout)) {
    throw new Error(`npm run audit:verify exited ${verify.status}:\n${verify.stdout}${verify.stderr}`);
  }
}

/**
 * Ctrl-C as a terminal sends it: SIGINT to the whole group. npm waits for its script to end and
 * then ends itself by the same signal (so a shell shows 130): npm start's own exit code is not
 * ours to see. What must hold: it ends within STOP_TIMEOUT_MS, says it stopped, and leaves no port
 * open, the servers it started included.
 */
async function stopAndCheck(started: Started, ports: number[]): Promise<void> {
  const { code, forced } = await interrupt(started);
  if (forced) throw new Error(`npm start did not end within ${STOP_TIMEOUT_MS / 1000} s of Ctrl-C; its last lines:\n${started.process.tail(40)}`);
  if (code !== 0 && code !== null) throw new Error(`npm start exited ${code} after Ctrl-C; its last lines:\n${started.process.tail(40)}`);
  if (!started.lines.includes('stopping...')) throw new Error(`npm start ended without stopping its servers; its last lines:\n${started.process.tail(40)}`);
  const moto = started.lines.map((line) => /local moto server at http:\/\/127\.0\.0\.1:(\d+)/.exec(line)?.[1]).find(Boolean);
  const open = [];
  for (const port of [...ports, ...(moto ? [Number(moto)] : [])]) if (!(await isPortFree(port))) open.push(port);
  if (open.length > 0) throw new Error(`ports still open after npm start ended: ${open.join(', ')}`);
}

async function interrupt({ process: child }: Started): Promise<{ code: number | null; forced: boolean }> {
  if (!child.running || child.pid === undefined) return { code: await child.exit, forced: false };
  const group = -child.pid;
  process.kill(group, 'SIGINT');
  let forced = false;
  const timer = setTimeout(() => {
    forced = true;
    process.kill(group, 'SIGKILL');
  }, STOP_TIMEOUT_MS);
  const code = await child.exit;
  clearTimeout(timer);
  return { code, forced };
}

async function step<T>(what: string, run: () => Promise<T>): Promise<T> {
  const began = Date.now();
  const value = await run();
  console.log(`start-check: ${what}: OK (${((Date.now() - began) / 1000).toFixed(1)} s)`);
  return value;
}

main().then(
  () => process.exit(0),
  async (err: unknown) => {
    console.error(`start-check: ${err instanceof Error ? err.message : String(err)}`);
    if (current) await interrupt(current).catch(() => undefined);
    process.exit(1);
  },
);
