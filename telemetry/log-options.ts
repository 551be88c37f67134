import type { LoggerOptions } from 'pino';
import { REDACTED, redactSensitiveParams } from './redact';

/** How deep `redact` paths look for `params` in a child logger's bindings (the formatter walks log objects deeper). */
const BINDING_DEPTHS = ['', '*.', '*.*.'];

/**
 * The pino options both processes log with, so the API and the worker drop the same values: every
 * sensitive param, wherever a logged object carries params. A formatter walks each log object
 * (params sit at any depth: an action request, a workflow's state, an audit event's data); pino
 * does not run it on a child logger's bindings, so `redact` paths cover those, a few levels deep,
 * along with `extraPaths` (e.g. secret headers).
 */
export function redactingLogOptions(sensitiveParams: ReadonlySet<string>, extraPaths: readonly string[] = []): Pick<LoggerOptions, 'formatters' | 'redact'> {
  const paramPaths = [...sensitiveParams].flatMap((name) => BINDING_DEPTHS.map((prefix) => `${prefix}params[${JSON.stringify(name)}]`));
  return {
    redact: { paths: [...extraPaths, ...paramPaths], censor: REDACTED },
    formatters: { log: (object) => redactSensitiveParams(object, sensitiveParams) },
  };
}
