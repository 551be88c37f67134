import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { quietBundlerLogger } from '../../../scripts/lib/quiet-temporal';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';
import { airlockBundlerOptions, PRELOADED_MODULES, WORKFLOWS_PATH } from '../../../workers/workflow-bundle';
import { TEST_TRUSTED_KEYS } from '../../support/identity-keys';

describe("the workflow bundle's preloaded modules", () => {
  it('are the modules domain/noble.ts requires', () => {
    const noble = readFileSync(join(PROJECT_ROOT, 'domain', 'noble.ts'), 'utf8');
    const required = [...noble.matchAll(/require\('([^']+)'\)/g)].map((match) => match[1]);
    expect([...PRELOADED_MODULES].sort()).toEqual(required.sort());
  });

  it('are loaded by the bundle\'s preload hook, not dropped by webpack as unused ("sideEffects": false)', async () => {
    const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger, ...airlockBundlerOptions(TEST_TRUSTED_KEYS) });
    const hook = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
    for (const specifier of PRELOADED_MODULES) expect(hook).toContain(`__webpack_require__(/* webpackMode: "eager" */ /*! ${specifier} */`);
  }, 60_000);
});
