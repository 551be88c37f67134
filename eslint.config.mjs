// Lint rules from the team's style guide: no floating promises, type-only imports, no import
// cycles, a deterministic workflows/ folder that imports no Node builtins or I/O libraries, and
// dependencies that point down (docs/architecture.md): the API never imports worker-side code,
// and channels/ never import the API.
import { readdirSync } from 'node:fs';
import tseslint from 'typescript-eslint';
import importX, { createNodeResolver } from 'eslint-plugin-import-x';

/** Import specifiers are relative paths here, so each regex matches however many `../` lead to the folder. */
const WORKER_SIDE_OF_CHANNELS = [
  {
    regex: '(^|/)outbound(/.*)?$',
    message: "A channel's outbound side (its activities) runs in the worker only: import the channel's shared or inbound modules.",
  },
  { regex: '(^|/)outbound-registry$', message: 'The outbound registry builds worker activities: only activities/ imports it.' },
];
/** The folders of operations/, one per AWS service (s3, iam, ec2, …), read so that a new one is covered too. */
const OPERATION_SERVICES = readdirSync(new URL('./operations', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name);
const ACTIVITIES = { regex: '^(\\.\\./)+activities(/.*)?$', message: 'activities/ runs in the worker only; the API reaches it through Temporal.' };
const API = {
  regex: '^(\\.\\./)+api(/.*)?$',
  message:
    'channels/ sits below the API, which registers it: import the contract from domain/ (actions-port.ts, errors.ts, action-id.ts); the API passes in its implementation.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.airlock/**', 'coverage/**', '*.js', '*.mjs'] },
  {
    files: ['**/*.{ts,tsx}'],
    extends: [tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    // Imports name .ts files without their extension: unless import-x may resolve and parse them,
    // it resolves no import at all, and no-cycle and no-restricted-paths pass without looking.
    settings: {
      'import-x/extensions': ['.ts', '.js'],
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node APIs, no I/O clients.
    // domain/ and the channel kinds are bundled into it too.
    files: ['workflows/**/*.ts', 'domain/**/*.ts', 'channels/kinds.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { ...API, message: 'Workflow code (and domain/, channels/kinds.ts) sits below every entry point: it never imports api/.' },
            { group: ['node:*'], message: 'workflows/ must stay deterministic: no Node builtins; use an activity.' },
            { group: ['@aws-sdk/*', '@slack/*', 'fastify', 'yaml', 'zod'], message: 'workflows/ does no I/O or parsing: use an activity.' },
            {
              group: ['../activities', '../activities/*'],
              message: 'Import activities type-only (import type) and call them through proxyActivities.',
              allowTypeImports: true,
            },
            {
              regex: '^\\.\\./channels/(?!kinds$)',
              message: 'Of channels/, workflow code imports the kinds only; activities are called through proxyActivities.',
              allowTypeImports: true,
            },
          ],
          paths: ['fs', 'path', 'crypto', 'http', 'https', 'child_process', 'os', 'net'].map((name) => ({
            name,
            message: 'workflows/ must stay deterministic: no Node builtins; use an activity.',
          })),
        },
      ],
    },
  },
  {
    // The API is an entry point of its own: it must never load worker-side code (activities, a
    // channel's outbound side, the worker), which would bring the worker's clients and secrets into it.
    files: ['api/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ACTIVITIES,
            ...WORKER_SIDE_OF_CHANNELS,
            { regex: '^(\\.\\./)+workers(/.*)?$', message: 'workers/ is the worker entry point; the API never imports it.' },
          ],
        },
      ],
    },
  },
  {
    // What the API imports of channels/ (inbound routes, shared rendering and texts) must not lead
    // to the worker side either, or the rule above would hold only one import deep. Nor back up
    // into the API: a channel's inbound side talks to the ActionsPort of domain/, not to api/.
    files: ['channels/**/*.ts'],
    ignores: ['channels/*/outbound/**', 'channels/outbound-registry.ts', 'channels/kinds.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ACTIVITIES, ...WORKER_SIDE_OF_CHANNELS, API] }] },
  },
  {
    // A channel's worker side may import activities/, but not the API either. (channels/kinds.ts
    // is covered by the workflow block above: a second block here would replace its rule.)
    files: ['channels/*/outbound/**/*.ts', 'channels/outbound-registry.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [API] }] },
  },
  {
    // scripts/ are development and install helpers, not part of what a worker runs.
    files: ['workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^(\\.\\./)+scripts(/.*)?$', message: 'scripts/ are dev and install helpers: move what a worker needs into a shared module (e.g. net/).' },
          ],
        },
      ],
    },
  },
  {
    // One folder per AWS service in operations/: its operations use its own shared modules and the
    // root's, never another service's, so what two services share moves to the root. The root's
    // shared modules sit below every service folder: only the catalogue, which registers the
    // operations, imports them.
    files: ['operations/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            ...OPERATION_SERVICES.map((service) => ({
              target: `./operations/${service}`,
              from: OPERATION_SERVICES.filter((other) => other !== service).map((other) => `./operations/${other}`),
              message: `operations/${service}/ imports only its own folder and the shared modules at the root of operations/: move what two services share to the root.`,
            })),
            {
              target: './operations/!(catalogue).ts',
              from: OPERATION_SERVICES.map((service) => `./operations/${service}`),
              message: 'The shared modules at the root of operations/ sit below the service folders: only the catalogue imports them.',
            },
          ],
        },
      ],
    },
  },
);
