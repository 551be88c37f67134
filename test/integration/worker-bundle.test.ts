import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as BundleProcess from '../../workers/bundle-process';
import { PROJECT_ROOT } from '../../scripts/lib/tools';
import { TEST_TRUSTED_KEYS } from '../support/identity-keys';

// The built module: its child entry (bundle-main.js) exists only in dist/, next to it.
const BUILT = join(PROJECT_ROOT, 'dist', 'workers', 'bundle-process.js');
const BUILT_FAILURE_CONVERTER = join(PROJECT_ROOT, 'dist', 'codec', 'failure-converter.js');

/**
 * The worker's entry point bundles its workflows in a child process (workers/bundle-process.ts),
 * so webpack never stays in the worker's memory. What the child makes must be what the worker
 * would have: its identity keys written in, and the encrypting failure converter when asked.
 */
describe('bundling the workflows in a child process', () => {
  let bundleInChildProcess: typeof BundleProcess.bundleInChildProcess;

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: npm test builds it (npm run build)`);
    ({ bundleInChildProcess } = (await import(BUILT)) as typeof BundleProcess);
  });

  it('writes the worker identity keys in, and the failure converter only when asked', async () => {
    const [plain, encrypted] = await Promise.all([
      bundleInChildProcess({ identityKeys: TEST_TRUSTED_KEYS }),
      bundleInChildProcess({ identityKeys: TEST_TRUSTED_KEYS, failureConverterPath: BUILT_FAILURE_CONVERTER }),
    ]);
    for (const bundle of [plain, encrypted]) {
      for (const key of TEST_TRUSTED_KEYS) expect(bundle.code).toContain(key.publicKeyHex);
    }
    expect(encrypted.code).toContain('dist/codec/failure-converter.js');
    expect(plain.code).not.toContain('dist/codec/failure-converter.js');
  }, 60_000);

  it('fails with a clear error when the bundler does', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'airlock-bundle-'));
    try {
      const broken = join(dir, 'broken-converter.js');
      writeFileSync(broken, 'exports.failureConverter = ;\n'); // webpack cannot parse it
      await expect(bundleInChildProcess({ identityKeys: TEST_TRUSTED_KEYS, failureConverterPath: broken })).rejects.toThrow(
        /bundling the workflows failed \(exit code 1\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
