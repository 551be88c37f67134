// Lint rules from the team's STYLE.md: no floating promises, type-only imports, no import
// cycles, and a deterministic workflows/ folder that imports no Node builtins or I/O libraries.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.airlock/**', 'coverage/**', '*.js', '*.mjs'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    plugins: { 'import-x': importX },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import-x/no-cycle': 'error',
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node APIs, no I/O clients.
    // domain/ is bundled into it too.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'workflows/ must stay deterministic: no Node builtins; use an activity.' },
            { group: ['@aws-sdk/*', '@slack/*', 'fastify', 'yaml', 'zod'], message: 'workflows/ does no I/O or parsing: use an activity.' },
            { group: ['../activities', '../activities/*'], message: 'Import activities type-only (import type) and call them through proxyActivities.', allowTypeImports: true },
          ],
          paths: ['fs', 'path', 'crypto', 'http', 'https', 'child_process', 'os', 'net'].map((name) => ({
            name,
            message: 'workflows/ must stay deterministic: no Node builtins; use an activity.',
          })),
        },
      ],
    },
  },
);
