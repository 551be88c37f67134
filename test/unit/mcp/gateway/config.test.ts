import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import type { HttpServerConfig, StdioServerConfig } from '../../../../mcp/gateway/config';
import { GatewayConfigError, loadGatewayConfig, parseGatewayConfig } from '../../../../mcp/gateway/load';
import { REDACTED, Secret } from '../../../../mcp/gateway/secret';

const TOKEN = 'tok-3f9a1c7e-from-env';
const AUTH = 'Bearer auth-77b2d0e4-from-env';
const FILE_SECRET = 'file-secret-5c81aa09';

/** The issue's example; tests replace one line to break it in one known place. `SECRET_FILE` is filled in. */
const VALID = `version: 1
servers:
  files:
    transport: stdio
    command: /usr/bin/node
    args: ["dist/index.js", "/srv/data"]
    env: { LOG_LEVEL: info, API_TOKEN: { fromEnv: FILES_TOKEN }, OTHER: { fromFile: SECRET_FILE } }
    cwd: work
    tools: { write_file: { idempotent: false, redact: [content] } }
  everything:
    transport: http
    url: http://127.0.0.1:3001/mcp
    headers: { Authorization: { fromEnv: EVERYTHING_AUTH }, X-Team: data }
    timeout: 30s
`;

let dir: string;
let secretFile: string;
const env = { FILES_TOKEN: TOKEN, EVERYTHING_AUTH: AUTH };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'airlock-gateway-config-'));
  secretFile = join(dir, 'other.secret');
  writeFileSync(secretFile, `${FILE_SECRET}\n`);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function valid(): string {
  return VALID.replace('SECRET_FILE', secretFile);
}

/** The valid file with line `lineNo` (1-based) replaced. */
function withLine(lineNo: number, replacement: string): string {
  const lines = valid().split('\n');
  expect(lines[lineNo - 1]).toBeDefined();
  lines[lineNo - 1] = replacement;
  return lines.join('\n');
}

function errorOf(text: string, withEnv: NodeJS.ProcessEnv = env): GatewayConfigError {
  try {
    parseGatewayConfig(text, 'gateway.yaml', { env: withEnv, baseDir: dir });
  } catch (err) {
    if (err instanceof GatewayConfigError) return err;
    throw err;
  }
  throw new Error('the config was accepted');
}

function parse(text = valid()) {
  return parseGatewayConfig(text, 'gateway.yaml', { env, baseDir: dir });
}

describe('gateway config: a valid file', () => {
  test('gives each server with its transport settings, in file order', () => {
    const config = parse();
    expect(config.source).toBe('gateway.yaml');
    expect(config.servers.map((server) => server.name)).toEqual(['files', 'everything']);
    const files = config.server('files') as StdioServerConfig;
    expect(files).toMatchObject({
      transport: 'stdio',
      command: '/usr/bin/node',
      args: ['dist/index.js', '/srv/data'],
      cwd: join(dir, 'work'),
      timeoutMs: 60_000,
      tools: { write_file: { idempotent: false, redact: ['content'] } },
    });
    const everything = config.server('everything') as HttpServerConfig;
    expect(everything).toMatchObject({ transport: 'http', url: 'http://127.0.0.1:3001/mcp', timeoutMs: 30_000, tools: {} });
    expect(config.server('nope')).toBeUndefined();
  });

  test('resolves fromEnv and fromFile (one trailing newline dropped); plain values stay strings', () => {
    const config = parse();
    const files = config.server('files') as StdioServerConfig;
    expect(files.env.LOG_LEVEL).toBe('info');
    expect(files.env.API_TOKEN).toBeInstanceOf(Secret);
    expect((files.env.API_TOKEN as Secret).reveal()).toBe(TOKEN);
    expect((files.env.OTHER as Secret).reveal()).toBe(FILE_SECRET);
    const everything = config.server('everything') as HttpServerConfig;
    expect((everything.headers.Authorization as Secret).reveal()).toBe(AUTH);
    expect(everything.headers['X-Team']).toBe('data');
  });

  test('a relative fromFile is read from the config file folder', () => {
    mkdirSync(join(dir, 'secrets'));
    writeFileSync(join(dir, 'secrets', 'token'), 'relative-secret');
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, valid().replace(secretFile, 'secrets/token'));
    const files = loadGatewayConfig(file, { env }).server('files') as StdioServerConfig;
    expect((files.env.OTHER as Secret).reveal()).toBe('relative-secret');
    expect(files.cwd).toBe(join(dir, 'work'));
  });

  test('no server needs env, headers or tools', () => {
    const config = parse(
      'version: 1\nservers:\n  a:\n    transport: stdio\n    command: node\n  b:\n    transport: http\n    url: https://mcp.example.com/mcp\n',
    );
    expect(config.servers).toEqual([
      { name: 'a', transport: 'stdio', credentials: 'none', command: 'node', args: [], env: {}, timeoutMs: 60_000, tools: {} },
      { name: 'b', transport: 'http', url: 'https://mcp.example.com/mcp', headers: {}, timeoutMs: 60_000, tools: {} },
    ]);
  });
});

describe('gateway config: resolved secrets are never shown', () => {
  const secrets = [TOKEN, AUTH, FILE_SECRET];

  test('describe() and toJSON show [secret] for them and the plain values as written', () => {
    const config = parse();
    const described = config.describe();
    expect(described).toMatchObject({
      source: 'gateway.yaml',
      servers: {
        files: { transport: 'stdio', env: { LOG_LEVEL: 'info', API_TOKEN: REDACTED, OTHER: REDACTED } },
        everything: { transport: 'http', headers: { Authorization: REDACTED, 'X-Team': 'data' } },
      },
    });
    const json = JSON.stringify(config);
    expect(JSON.parse(json)).toEqual(described);
    for (const secret of secrets) expect(json).not.toContain(secret);
  });

  test('nor does printing the config or a server any other way', () => {
    const config = parse();
    const printed = [
      inspect(config, { depth: 10 }),
      inspect(config.servers, { depth: 10 }),
      JSON.stringify(config.servers),
      String((config.server('files') as StdioServerConfig).env.API_TOKEN),
      `${(config.server('everything') as HttpServerConfig).headers.Authorization}`,
    ];
    for (const text of printed) for (const secret of secrets) expect(text).not.toContain(secret);
    expect(printed.join('\n')).toContain(REDACTED);
  });

  test('nor an error about another field of the same file', () => {
    const err = errorOf(valid().replace('timeout: 30s', 'timeout: soon'));
    expect(err.message).toMatch(/^gateway\.yaml:14: servers\.everything\.timeout: invalid duration "soon"/);
    for (const secret of secrets) expect(err.message).not.toContain(secret);
  });
});

describe('gateway config: errors name file, line and field', () => {
  test('the error is a GatewayConfigError with a stable code and structured issues', () => {
    const err = errorOf(withLine(4, '    transport: ws'));
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('GatewayConfigError');
    expect(err.code).toBe('invalid_gateway_config');
    expect(err.issues).toEqual([{ path: 'servers.files.transport', line: 4, message: 'must be stdio or http' }]);
    expect(err.message).toBe('gateway.yaml:4: servers.files.transport: must be stdio or http');
  });

  test('an unknown key (a typo) is refused, naming the keys that exist', () => {
    expect(errorOf(withLine(5, '    comand: /usr/bin/node')).message).toBe(
      [
        'gateway.yaml:3: servers.files.command: required',
        'gateway.yaml:5: servers.files.comand: unknown field (expected one of: transport, command, args, env, cwd, timeout, credentials, tools)',
      ].join('\n'),
    );
    expect(errorOf(withLine(13, '    header: {}')).message).toBe(
      'gateway.yaml:13: servers.everything.header: unknown field (expected one of: transport, url, headers, timeout, tools)',
    );
    expect(errorOf(withLine(9, '    tools: { write_file: { idempotent: false, redcat: [content] } }')).message).toBe(
      'gateway.yaml:9: servers.files.tools.write_file.redcat: unknown field (expected one of: sessionPolicy, runningTime, idempotent, redact, annotations)',
    );
    expect(errorOf(valid().replace('version: 1', 'version: 1\nserver: {}')).message).toContain('gateway.yaml:2: server: unknown field');
  });

  test('a transport setting on the other transport is an unknown field', () => {
    expect(errorOf(withLine(14, '    command: node')).message).toBe(
      'gateway.yaml:14: servers.everything.command: unknown field (expected one of: transport, url, headers, timeout, tools)',
    );
  });

  test('server names: lowercase, no dots (they are part of tool names)', () => {
    expect(errorOf(withLine(3, '  Files.v2:')).message).toBe(
      'gateway.yaml:3: servers["Files.v2"]: must be a server name: 1-32 lowercase letters, digits and -, starting with a letter',
    );
  });

  test('missing transport, bad URL, bad duration, wrong version', () => {
    expect(errorOf(withLine(4, '    kind: stdio')).message).toContain('gateway.yaml:3: servers.files.transport: required: stdio or http');
    expect(errorOf(withLine(12, '    url: ftp://127.0.0.1/mcp')).message).toBe(
      'gateway.yaml:12: servers.everything.url: must be an http(s) URL such as http://127.0.0.1:3001/mcp',
    );
    expect(errorOf(withLine(14, '    timeout: 30')).message).toBe('gateway.yaml:14: servers.everything.timeout: must be a duration such as 90s, 15m, 1h or 2d');
    expect(errorOf(withLine(1, 'version: 2')).message).toBe('gateway.yaml:1: version: must be 1');
    expect(errorOf('version: 1\nservers:\n  files:\n').message).toBe('gateway.yaml:3: servers.files: must be a mapping');
  });

  test('env and header values: strings or one secret reference', () => {
    expect(errorOf(withLine(7, '    env: { PORT: 8080 }')).message).toBe(
      'gateway.yaml:7: servers.files.env.PORT: must be a string (quote numbers and booleans), { fromEnv: VARIABLE } or { fromFile: /path/to/file }',
    );
    expect(errorOf(withLine(7, '    env: { A: { fromEnvv: X } }')).message).toBe(
      'gateway.yaml:7: servers.files.env.A: must be { fromEnv: VARIABLE } or { fromFile: /path/to/file }, one key (found fromEnvv)',
    );
    expect(errorOf(withLine(7, '    env: { A: { fromEnv: X, fromFile: /y } }')).message).toContain('one key (found fromEnv, fromFile)');
    expect(errorOf(withLine(7, '    env: { A: { fromEnv: "not a name" } }')).message).toBe(
      'gateway.yaml:7: servers.files.env.A.fromEnv: must be an environment variable name: letters, digits and _, not starting with a digit',
    );
    expect(errorOf(withLine(7, '    env: { A: { fromFile: "" } }')).message).toBe('gateway.yaml:7: servers.files.env.A.fromFile: must be a file path');
    expect(errorOf(withLine(7, '    env: { 1A: x }')).message).toBe(
      'gateway.yaml:7: servers.files.env["1A"]: must be an environment variable name: letters, digits and _, not starting with a digit',
    );
    expect(errorOf(withLine(13, '    headers: { Mcp-Session-Id: abc }')).message).toBe(
      'gateway.yaml:13: servers.everything.headers.Mcp-Session-Id: is set by the MCP transport itself',
    );
  });

  test('YAML syntax errors and duplicate keys', () => {
    expect(errorOf(withLine(6, '    args: ["dist/index.js", "/srv/data"')).message).toMatch(/^gateway\.yaml:\d+: YAML: /);
    expect(errorOf(withLine(14, '    timeout: 30s\n    timeout: 40s')).message).toMatch(/^gateway\.yaml:15: YAML: Map keys must be unique/);
  });

  test('an empty file, or one that is not a mapping', () => {
    expect(errorOf('').message).toBe('gateway.yaml: must be a YAML mapping with version and servers');
    expect(errorOf('- a\n').message).toBe('gateway.yaml:1: must be a YAML mapping with version and servers');
  });

  test('every issue is reported, one per line, in file order', () => {
    const text = withLine(14, '    timeout: soon').replace('    transport: stdio', '    transport: tcp').replace('version: 1', 'version: 1\nextra: true');
    expect(errorOf(text).issues.map((issue) => `${issue.line}: ${issue.path}`)).toEqual([
      '2: extra',
      '5: servers.files.transport',
      '15: servers.everything.timeout',
    ]);
  });
});

describe('gateway config: secrets that cannot be resolved', () => {
  test('an unset or empty environment variable names the field and the variable', () => {
    expect(errorOf(valid(), { EVERYTHING_AUTH: AUTH }).message).toBe(
      'gateway.yaml:7: servers.files.env.API_TOKEN.fromEnv: environment variable FILES_TOKEN is not set',
    );
    expect(errorOf(valid(), { ...env, FILES_TOKEN: '' }).message).toBe(
      'gateway.yaml:7: servers.files.env.API_TOKEN.fromEnv: environment variable FILES_TOKEN is empty',
    );
  });

  test('a missing, unreadable or empty file names the field and the path', () => {
    rmSync(secretFile);
    expect(errorOf(valid()).message).toBe(`gateway.yaml:7: servers.files.env.OTHER.fromFile: cannot read ${secretFile}: ENOENT`);
    writeFileSync(secretFile, '\n');
    expect(errorOf(valid()).message).toBe(`gateway.yaml:7: servers.files.env.OTHER.fromFile: ${secretFile} is empty`);
    mkdirSync(join(dir, 'a-folder'));
    expect(errorOf(valid().replace(secretFile, join(dir, 'a-folder'))).message).toContain('servers.files.env.OTHER.fromFile: cannot read');
  });

  test('an unreadable file (permissions) is a load error too', () => {
    if (process.getuid?.() === 0) return; // root reads any file
    chmodSync(secretFile, 0o000);
    expect(errorOf(valid()).message).toBe(`gateway.yaml:7: servers.files.env.OTHER.fromFile: cannot read ${secretFile}: EACCES`);
  });

  test('a header secret with a line break is refused without printing it', () => {
    const bad = 'line-one-4e2a\nline-two-9b7c';
    const err = errorOf(valid(), { ...env, EVERYTHING_AUTH: bad });
    expect(err.message).toBe('gateway.yaml:13: servers.everything.headers.Authorization: must not contain a line break or NUL character');
    expect(err.message).not.toContain('line-one');
    expect(err.message).not.toContain('line-two');
  });

  test('the values of the secrets that did resolve are not in the message either', () => {
    const err = errorOf(valid(), { FILES_TOKEN: TOKEN });
    expect(err.issues).toEqual([
      { path: 'servers.everything.headers.Authorization.fromEnv', line: 13, message: 'environment variable EVERYTHING_AUTH is not set' },
    ]);
    expect(err.message).not.toContain(TOKEN);
    expect(err.message).not.toContain(FILE_SECRET);
  });
});

describe('loadGatewayConfig', () => {
  test('names the path in its errors, including when it cannot read the file', () => {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, withLine(4, '    transport: ws'));
    expect(() => loadGatewayConfig(file, { env })).toThrow(`${file}:4: servers.files.transport: must be stdio or http`);
    expect(() => loadGatewayConfig(join(dir, 'missing.yaml'))).toThrow(GatewayConfigError);
    expect(() => loadGatewayConfig(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: cannot read gateway config file: ENOENT/);
  });

  test('reads fromEnv from the process environment by default', () => {
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, 'version: 1\nservers:\n  a:\n    transport: stdio\n    command: node\n    env: { T: { fromEnv: AIRLOCK_GATEWAY_TEST_TOKEN } }\n');
    process.env.AIRLOCK_GATEWAY_TEST_TOKEN = 'from-process-env';
    try {
      const server = loadGatewayConfig(file).server('a') as StdioServerConfig;
      expect((server.env.T as Secret).reveal()).toBe('from-process-env');
    } finally {
      delete process.env.AIRLOCK_GATEWAY_TEST_TOKEN;
    }
    expect(() => loadGatewayConfig(file)).toThrow('environment variable AIRLOCK_GATEWAY_TEST_TOKEN is not set');
  });
});

describe('examples/gateway/gateway.yaml (AIRLOCK_GATEWAY_FILE=examples/gateway/gateway.yaml npm start)', () => {
  test('loads, and names a server entry and a folder that exist from its working directory', () => {
    const config = loadGatewayConfig(join(__dirname, '..', '..', '..', '..', 'examples', 'gateway', 'gateway.yaml'), { env: {} });
    const files = config.server('files') as StdioServerConfig;
    expect(files.transport).toBe('stdio');
    expect(files.args.map((arg) => existsSync(join(files.cwd ?? '', arg)))).toEqual([true, true]);
    expect(files.tools.write_file?.redact).toEqual(['content']);
  });
});
