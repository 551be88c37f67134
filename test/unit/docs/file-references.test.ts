import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * Docs and config files refer only to what is in the repository: every path they name (in prose,
 * backticks or links) must exist, so a moved or deleted file cannot leave a reader looking for it.
 */
const ROOT = join(__dirname, '..', '..', '..');

/** What is scanned: the README, the changelog, every doc page, and the config files that explain themselves in comments. */
const SCANNED = [
  'README.md',
  'CHANGELOG.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
  'eslint.config.mjs',
  'jest.config.js',
  'tsconfig.json',
  'tsconfig.build.json',
  'Dockerfile',
  'docker-compose.yml',
  '.ci/run',
];

/**
 * Not in the repository, and rightly so: what .gitignore lists (made by a build, a tool install,
 * `npm start` or a test run; a site's own policy, keys and certificates), plus dependencies.
 */
const GENERATED = [
  'node_modules/',
  ...readFileSync(join(ROOT, '.gitignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !/[*?[]/.test(line)),
];

/**
 * Names that look like files but are not references to this repository. Keep it short, and say why.
 */
const NOT_REPO_FILES = new Set([
  'Node.js', // the runtime, not a file
  'dev-keys.env', // .airlock/dev-keys.env, written by npm start (docs name it bare after the full path)
  'principals.yaml', // .airlock/principals.yaml, likewise; deployments mount their own
  'temporal.db', // .airlock/temporal.db, likewise
  'audit.db', // .airlock/audit.db, likewise
  'env', // .tools/env
  'postgres.env', // .tools/postgres.env
  'compose-spec.json', // .tools/compose-spec.json, fetched by the tools script
  'openapi.json', // also served by the API at /openapi.json; docs/openapi.json is checked by its own test
  'policy.yaml', // the operator's own policy file, named by AIRLOCK_POLICY_FILE
  'docker-compose.override.yml', // a site's own Compose override (docs/deployment.md says how to write one)
  'config_template_embedded.yaml', // in temporalio/temporal, and docker-compose.yml says so
  'server/docker/config-template.yaml', // in temporalio/ui, likewise
]);

/** Top-level folders and files of the repository: a path starting with one of them is resolved from the root. */
const TOP_LEVEL = new Set(readdirSync(ROOT).filter((name) => !name.startsWith('.') || name === '.ci'));
/** Folders the docs may name as a path's first segment although they do not exist (yet): still checked, so they fail. */
const KNOWN_FOLDERS = new Set([...TOP_LEVEL, 'console', 'src', 'lib']);

/** Extensions that make a bare word a file name. */
const FILE_EXTENSION = /\.(ts|js|mjs|cjs|json|md|ya?ml|sh|png|sql|txt)$/;

/** Every file and folder of the working tree (relative paths; folders end in `/`), minus what is generated. */
function repositoryEntries(): string[] {
  const entries: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name === '.git' || GENERATED.includes(`${path}/`)) continue;
        entries.push(`${path}/`);
        walk(path);
      } else {
        entries.push(path);
      }
    }
  };
  walk('');
  return entries;
}

interface Reference {
  file: string;
  line: number;
  path: string;
}

/** The paths one line names: tokens under a known top-level folder or with a file extension, URLs, globs and placeholders left out. */
function candidates(text: string): string[] {
  const found: string[] = [];
  const withoutUrls = text.replace(/[a-z][a-z0-9+.-]*:\/\/[^\s)`'"<>\]]*/gi, ' ').replace(/<rootDir>\//g, '');
  for (const match of withoutUrls.matchAll(/[A-Za-z0-9_][\w.@-]*(?:\/[\w.@-]+)*\/?/g)) {
    const token = match[0].replace(/[.]+$/, ''); // a sentence's full stop
    const before = withoutUrls[match.index - 1] ?? '';
    const after = withoutUrls[match.index + match[0].length] ?? '';
    // Absolute paths, relative ones climbing out (import specifiers), globs and placeholders: not repository references.
    // An ARN's resource (`arn:aws:iam::aws:policy/…`) is not a path either.
    if ('/~*$@-.:'.includes(before) && before !== '') continue;
    if (after === '*' || after === '<' || after === '{' || after === '$' || after === '…') continue;
    if (token.includes('/')) {
      const first = token.split('/')[0] ?? '';
      if (KNOWN_FOLDERS.has(first) || FILE_EXTENSION.test(token)) found.push(token);
    } else if (FILE_EXTENSION.test(token)) {
      found.push(token);
    }
  }
  return found;
}

/** Every path reference in one scanned file, with its line. Markdown code blocks are skipped: they hold commands and output. */
function referencesIn(file: string): Reference[] {
  const references: Reference[] = [];
  let fenced = false;
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((text, index) => {
      if (file.endsWith('.md') && /^\s*```/.test(text)) fenced = !fenced;
      if (fenced) return;
      for (const path of candidates(text)) references.push({ file, line: index + 1, path });
    });
  return references;
}

/** True when the path names something in the repository, read from the root, from the citing file's folder, or as a file's own name. */
function exists(reference: Reference, entries: string[], names: Set<string>): boolean {
  const { path, file } = reference;
  if (
    NOT_REPO_FILES.has(path) ||
    GENERATED.some((ignored) => path === ignored || path === ignored.replace(/\/$/, '') || (ignored.endsWith('/') && path.startsWith(ignored)))
  ) {
    return true;
  }
  const fromFile = relative(ROOT, resolve(ROOT, dirname(file), path));
  if (existsSync(join(ROOT, path)) || existsSync(join(ROOT, fromFile))) return true;
  if (!path.includes('/')) return names.has(path);
  // A path inside a folder the text has just named (`outbound/activities.ts` of a channel): some entry ends with it.
  const first = path.split('/')[0] ?? '';
  return !KNOWN_FOLDERS.has(first) && entries.some((entry) => entry.endsWith(`/${path}`));
}

describe('file references in docs and config', () => {
  const entries = repositoryEntries();
  const names = new Set(entries.map((entry) => entry.replace(/\/$/, '').replace(/^.*\//, '')));
  const scanned = SCANNED.filter((file) => existsSync(join(ROOT, file)) && statSync(join(ROOT, file)).isFile());

  it('scans the README, every doc page and the config files', () => {
    expect(scanned).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'eslint.config.mjs', 'jest.config.js']));
    expect(scanned.flatMap(referencesIn).length).toBeGreaterThan(100);
  });

  it.each(scanned)('%s names only paths that exist', (file) => {
    const missing = referencesIn(file)
      .filter((reference) => !exists(reference, entries, names))
      .map(({ line, path }) => `${file}:${line}: ${path}`);
    expect(missing).toEqual([]);
  });

  it('finds a missing path, with its line', () => {
    const reference = { file: 'docs/example.md', line: 3, path: 'workflows/no-such-file.ts' };
    expect(candidates('see `workflows/no-such-file.ts` and [the API](api.md#errors), not https://example.com/x.ts')).toEqual([
      'workflows/no-such-file.ts',
      'api.md',
    ]);
    expect(exists(reference, entries, names)).toBe(false);
    expect(exists({ ...reference, path: 'api.md' }, entries, names)).toBe(true);
    expect(candidates('globs and placeholders: `channels/<kind>/`, `test/unit/**/*.test.ts`, `/usr/lib/x.sh`, `~/.npmrc`')).toEqual([]);
  });
});
