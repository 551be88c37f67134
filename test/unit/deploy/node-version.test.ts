import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';
import { nvmrcMajor, packageJson, useNodePin } from './node-version';

// One Node major everywhere it is named: .nvmrc, the version CI installs, the Dockerfile's base
// (dockerfile.test.ts), and an engines floor at or below it.
const major = nvmrcMajor();
const engines = packageJson().engines?.node ?? '<none>';
const floor = /^>=\s*(\d+)\.\d+(?:\.\d+)?$/.exec(engines)?.[1];

describe('Node version', () => {
  it('.nvmrc holds a bare major', () => {
    expect(major).toMatch(/^\d+$/);
  });

  it("scripts/use-node.sh installs an exact version of .nvmrc's major", () => {
    expect(useNodePin()).toMatch(new RegExp(`^${major}\\.\\d+\\.\\d+$`));
  });

  it("package.json's engines is a floor that admits the major CI runs", () => {
    expect({ engines, floor }).toEqual({ engines, floor: expect.stringMatching(/^\d+$/) });
    expect(Number(floor)).toBeLessThanOrEqual(Number(major));
  });

  it("@types/node is pinned to the engines floor's major", () => {
    // Types of the oldest Node we accept: tsc then refuses an API that Node lacks.
    expect(packageJson().devDependencies?.['@types/node']).toMatch(new RegExp(`^${floor}\\.\\d+\\.\\d+$`));
  });

  // .ci/run puts that Node first on PATH; on a developer's machine any Node in engines runs the tests.
  (process.env.CI === 'true' ? it : it.skip)("runs CI's tests on .nvmrc's major", () => {
    expect(process.versions.node.split('.')[0]).toBe(major);
  });
});

describe('scripts/use-node.sh', () => {
  let bin: string;

  beforeAll(() => {
    bin = mkdtempSync(join(tmpdir(), 'use-node-'));
  });

  afterAll(() => {
    rmSync(bin, { recursive: true, force: true });
  });

  /** Runs the script with a stand-in `node` that reports `version`, and no npm on PATH. */
  function withNode(version: string): { status: number | null; stdout: string; stderr: string } {
    writeFileSync(join(bin, 'node'), `#!/bin/sh\necho ${version}\n`);
    chmodSync(join(bin, 'node'), 0o755);
    const result = spawnSync('bash', [join(PROJECT_ROOT, 'scripts/use-node.sh')], {
      encoding: 'utf8',
      timeout: 30_000,
      env: { ...process.env, PATH: `${bin}:/usr/bin:/bin` },
    });
    if (result.error) throw result.error;
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  it("changes nothing when the Node on PATH already is .nvmrc's major", () => {
    const run = withNode(`v${major}.0.0`);
    expect(run).toEqual({ status: 0, stdout: '', stderr: expect.stringContaining(`using Node v${major}.0.0 from PATH`) });
  });
});
