import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readFileOrFail, YamlFile, YamlFileError, type FileIssue, type IssuePath, type RawIssue } from '../../config/yaml-file';
import { parseDuration } from '../../policy/duration';
import { DEFAULT_TIMEOUT, gatewayFileSchema, GatewayConfig, type ServerConfig, type ValueSpec } from './config';
import { Secret, type ConfigValue } from './secret';
import { templateIssues } from './templates';

/** A gateway config file that cannot be used. The message lists every issue as `file:line: field: problem`. */
export class GatewayConfigError extends YamlFileError {
  override name = 'GatewayConfigError';
  readonly code = 'invalid_gateway_config';
}

const gatewayConfigError = (source: string, issues: FileIssue[]): GatewayConfigError => new GatewayConfigError(source, issues);

/** Where secrets and relative paths are resolved from. */
export interface GatewayLoadOptions {
  /** Looked up by `fromEnv`; the process environment by default. */
  env?: NodeJS.ProcessEnv;
  /** Relative `fromFile` and `cwd` paths start here; the config file's folder (or the working directory). */
  baseDir?: string;
}

/** Reads and checks a gateway config file and resolves its secrets; throws GatewayConfigError naming line and field. */
export function loadGatewayConfig(path: string, options: GatewayLoadOptions = {}): GatewayConfig {
  const text = readFileOrFail(path, 'gateway config file', gatewayConfigError).toString('utf8');
  return parseGatewayConfig(text, path, { baseDir: dirname(resolve(path)), ...options });
}

/** Parses and checks gateway config text; `sourceName` names it in errors. */
export function parseGatewayConfig(text: string, sourceName: string, options: GatewayLoadOptions = {}): GatewayConfig {
  const file = YamlFile.parse(text, sourceName, gatewayConfigError);
  const document = file.check(gatewayFileSchema);
  const env = options.env ?? process.env;
  const baseDir = options.baseDir ?? process.cwd();
  const issues: RawIssue[] = [];

  /** The value, a secret read now, or undefined with an issue that never contains the value. */
  const resolveValue = (spec: ValueSpec, at: IssuePath, forHeader: boolean): ConfigValue | undefined => {
    let value: string;
    let secret: boolean;
    if (typeof spec === 'string') {
      value = spec;
      secret = false;
    } else if ('fromEnv' in spec) {
      const found = env[spec.fromEnv];
      if (found === undefined || found === '') {
        issues.push({ path: [...at, 'fromEnv'], message: `environment variable ${spec.fromEnv} is ${found === undefined ? 'not set' : 'empty'}` });
        return undefined;
      }
      value = found;
      secret = true;
    } else {
      const path = isAbsolute(spec.fromFile) ? spec.fromFile : resolve(baseDir, spec.fromFile);
      try {
        // One trailing newline is how `echo` and most editors end a file, not part of the secret.
        value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        issues.push({ path: [...at, 'fromFile'], message: `cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
        return undefined;
      }
      if (value === '') {
        issues.push({ path: [...at, 'fromFile'], message: `${path} is empty` });
        return undefined;
      }
      secret = true;
    }
    // Checked here because fetch and spawn would refuse the value later with the value in their message.
    const bad = forHeader ? /[\r\n\0]/ : /\0/;
    if (bad.test(value)) {
      issues.push({ path: at, message: forHeader ? 'must not contain a line break or NUL character' : 'must not contain a NUL character' });
      return undefined;
    }
    return secret ? new Secret(value) : value;
  };

  const resolveAll = (specs: Readonly<Record<string, ValueSpec>> | undefined, at: IssuePath, forHeader: boolean): Record<string, ConfigValue> => {
    const resolved: Record<string, ConfigValue> = {};
    for (const [key, spec] of Object.entries(specs ?? {})) {
      const value = resolveValue(spec, [...at, key], forHeader);
      if (value !== undefined) resolved[key] = value;
    }
    return resolved;
  };

  const servers = Object.entries(document.servers).map(([name, spec]): ServerConfig => {
    const at = ['servers', name];
    issues.push(...templateIssues(spec, at));
    const common = { name, timeoutMs: parseDuration(spec.timeout ?? DEFAULT_TIMEOUT), tools: spec.tools ?? {} };
    if (spec.transport === 'http') {
      return { ...common, transport: 'http', url: spec.url, headers: resolveAll(spec.headers, [...at, 'headers'], true) };
    }
    return {
      ...common,
      transport: 'stdio',
      credentials: spec.credentials ?? 'none',
      command: spec.command,
      args: spec.args ?? [],
      env: resolveAll(spec.env, [...at, 'env'], false),
      ...(spec.cwd === undefined ? {} : { cwd: resolve(baseDir, spec.cwd) }),
    };
  });
  file.reject(issues);
  return new GatewayConfig(sourceName, servers);
}
