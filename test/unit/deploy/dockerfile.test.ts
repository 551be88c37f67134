import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { configSchema } from '../../../config/schema';
import { parsePrincipalsFile } from '../../../config/principals-file';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';
import { buildOutputs } from './build-output';
import { baseImages, dockerfileInstructions, envKeys, execForm, runtimeStage } from './dockerfile';
import { nvmrcMajor } from './node-version';
import { WORKER_PROCESS_ENV } from '../../../workers/worker-sizing';

const instructions = dockerfileInstructions();
const runtime = runtimeStage(instructions);
const dockerignore = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

function only(keyword: string): string {
  const found = runtime.filter((instruction) => instruction.keyword === keyword);
  expect(found).toHaveLength(1);
  return found[0]?.args ?? '';
}

describe('Dockerfile', () => {
  it("builds on a pinned image of .nvmrc's Node major, never latest", () => {
    const images = baseImages(instructions);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(new RegExp(`^node:${nvmrcMajor()}[.\\w-]*$`));
  });

  it('compiles the native modules (better-sqlite3) on the image it runs them on', () => {
    // node_modules is built in the toolchain stage and copied into the runtime stage: another
    // Node major there would refuse the module ("compiled against a different Node.js version").
    expect(new Set(baseImages(instructions)).size).toBe(1);
  });

  it('runs the API by default, from a file `npm run build` writes', () => {
    const command = execForm(only('CMD'));
    expect(command).toEqual(['node', 'dist/api/main.js']);
    expect(buildOutputs()).toContain(command[1]);
  });

  it("sets the worker's process environment (workers/worker-sizing.ts) for both commands", () => {
    const env = runtime.filter((instruction) => instruction.keyword === 'ENV').flatMap((instruction) => instruction.args.split(/\s+/));
    for (const [name, value] of Object.entries(WORKER_PROCESS_ENV)) expect(env).toContain(`${name}=${value}`);
  });

  it('runs as a non-root user', () => {
    expect(only('USER')).not.toMatch(/^(root|0)(:|$)/);
  });

  it('has a health check whose script the runtime stage copies in', () => {
    const [node, script] = execForm(only('HEALTHCHECK'));
    expect(node).toBe('node');
    const copies = runtime.filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.startsWith('--from'));
    expect(copies.map((copy) => copy.args)).toContainEqual(expect.stringContaining(script ?? '<none>'));
    expect(existsSync(join(PROJECT_ROOT, script ?? ''))).toBe(true);
  });

  it('copies into the runtime stage only files that exist and the build context does not ignore', () => {
    const sources = runtime
      .filter((instruction) => instruction.keyword === 'COPY' && !instruction.args.startsWith('--from'))
      .flatMap((instruction) => instruction.args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect({ source, exists: existsSync(join(PROJECT_ROOT, source)) }).toEqual({ source, exists: true });
      const ignoredBy = dockerignore.find((pattern) => source === pattern || source.startsWith(`${pattern}/`));
      expect({ source, ignoredBy }).toEqual({ source, ignoredBy: undefined });
    }
  });

  it('sets only AIRLOCK_* variables that config/schema.ts knows', () => {
    const known = new Set(Object.keys(configSchema.shape));
    const keys = instructions.filter((instruction) => instruction.keyword === 'ENV').flatMap((instruction) => envKeys(instruction.args));
    expect(keys.filter((key) => key.startsWith('AIRLOCK_') && !known.has(key))).toEqual([]);
  });

  it('keeps local state, secrets and build output out of the build context', () => {
    for (const entry of ['node_modules', '.tools', '.airlock', 'dist', '.git', '.env', 'coverage']) expect(dockerignore).toContain(entry);
  });
});

describe('deploy/', () => {
  it('ships a principals example the API accepts', () => {
    const file = join(PROJECT_ROOT, 'deploy/principals.example.yaml');
    expect(() => parsePrincipalsFile(readFileSync(file, 'utf8'), file)).not.toThrow();
  });
});
