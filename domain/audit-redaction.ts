/**
 * Params the audit trail keeps only as a digest (an MCP gateway tool's `redact` arguments): the
 * API writes the request's audit form, signs the request over it, and the worker checks that it is
 * the redaction of the real params, so the signature still binds every value while the trail,
 * and anything that reads it, holds none of the redacted ones. The digest is salted with the
 * action id; a value with little entropy (a PIN) can still be guessed from it by trying them all.
 * No Node imports: the API, the worker and the audit verifier share it.
 */
import { canonicalJson } from './canonical-json';
import { bytesToHex, sha256, utf8ToBytes } from './noble';
import type { JsonObject, JsonValue } from './types';

const PREFIX = '[redacted sha256:';

/** What the audit trail holds in place of a redacted value. */
export function redactedValue(actionId: string, value: JsonValue): string {
  return `${PREFIX}${bytesToHex(sha256(utf8ToBytes(`${actionId}\n${canonicalJson(value)}`)))}]`;
}

/** The params as the audit trail records them; undefined when none of `redact` is among them. */
export function auditParams(actionId: string, params: JsonObject, redact: readonly string[]): JsonObject | undefined {
  if (!redact.some((name) => Object.hasOwn(params, name))) return undefined;
  return Object.fromEntries(Object.entries(params).map(([name, value]) => [name, redact.includes(name) ? redactedValue(actionId, value) : value]));
}

/** Why `audit` is not a redaction of `params` (another key set, or a value neither equal nor its digest), or undefined. */
export function auditParamsProblem(actionId: string, params: JsonObject, audit: JsonObject): string | undefined {
  const names = Object.keys(params).sort();
  if (canonicalJson(names) !== canonicalJson(Object.keys(audit).sort())) return 'the audit form of the params names other params';
  for (const name of names) {
    const real = params[name] as JsonValue;
    const recorded = audit[name] as JsonValue;
    if (canonicalJson(recorded) !== canonicalJson(real) && recorded !== redactedValue(actionId, real)) {
      return `the audit form of params.${name} is neither its value nor its digest`;
    }
  }
  return undefined;
}
