import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { quietBundlerLogger } from '../../../scripts/lib/quiet-temporal';
import { PROJECT_ROOT } from '../../../scripts/lib/tools';
import { airlockBundlerOptions, PRELOADED_MODULES, WORKFLOWS_PATH } from '../../../workers/workflow-bundle';
import { TEST_TRUSTED_KEYS } from '../../support/identity-keys';

/** One bundle for the file, made as a worker makes its own. */
let code = '';
beforeAll(async () => {
  ({ code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger, ...airlockBundlerOptions(TEST_TRUSTED_KEYS) }));
}, 60_000);

describe("the workflow bundle's preloaded modules", () => {
  it('are the modules domain/noble.ts requires', () => {
    const noble = readFileSync(join(PROJECT_ROOT, 'domain', 'noble.ts'), 'utf8');
    const required = [...noble.matchAll(/require\('([^']+)'\)/g)].map((match) => match[1]);
    expect([...PRELOADED_MODULES].sort()).toEqual(required.sort());
  });

  it('are loaded by the bundle\'s preload hook, not dropped by webpack as unused ("sideEffects": false)', () => {
    const hook = /exports\.preloadModules = function preloadModules\(\) \{([^}]*)\}/.exec(code)?.[1] ?? '';
    for (const specifier of PRELOADED_MODULES) expect(hook).toContain(`__webpack_require__(/* webpackMode: "eager" */ /*! ${specifier} */`);
  });
});

describe("the workflow bundle's source map", () => {
  it("maps stack traces to Airlock's files but carries none of their text (each worker thread holds it)", () => {
    const inline = /\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,(\S+)\s*$/.exec(code)?.[1];
    const map = JSON.parse(Buffer.from(inline ?? '', 'base64').toString('utf8')) as { sources: string[]; mappings: string; sourcesContent?: unknown };
    expect(map.sources.some((source) => source.endsWith('workflows/privileged-action.ts'))).toBe(true);
    expect(map.mappings.length).toBeGreaterThan(10_000);
    expect(map.sourcesContent).toBeUndefined();
  });
});
