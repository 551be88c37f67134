import { configSchema, type AirlockConfig } from './schema';

/** A configuration problem, named by variable, that stops start-up. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  readonly code = 'invalid_config';
}

/** Parses the environment once; throws ConfigError listing each bad variable and why. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AirlockConfig {
  const parsed = configSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}

/** For entry points that cannot run without a setting the schema leaves optional. */
export function required<K extends keyof AirlockConfig>(config: AirlockConfig, key: K): NonNullable<AirlockConfig[K]> {
  const value = config[key];
  if (value === undefined || value === null || value === '') {
    throw new ConfigError(`invalid configuration:\n  ${String(key)}: required`);
  }
  return value as NonNullable<AirlockConfig[K]>;
}
