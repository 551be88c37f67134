import { inspect } from 'node:util';

/** What a secret shows wherever it is printed, serialized or inspected. */
export const REDACTED = '[secret]';

/**
 * A value from the gateway config's `fromEnv` / `fromFile`, resolved at load. Only `reveal()`
 * gives the value, at the one place it is handed to a downstream server; JSON, string
 * conversion, `util.inspect` (console.log, pino) and jest's printing all see `[secret]`.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  /** The value itself: only for the spawn env or the HTTP headers of a downstream server. */
  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/** A config value: written in the file, or a secret resolved from env or a file. */
export type ConfigValue = string | Secret;

/** The value to hand downstream. */
export function reveal(value: ConfigValue): string {
  return typeof value === 'string' ? value : value.reveal();
}

/** The value as logs and `describe()` may show it. */
export function shown(value: ConfigValue): string {
  return typeof value === 'string' ? value : REDACTED;
}

/** Every value of a record revealed, for a spawn env or request headers. */
export function revealAll(values: Readonly<Record<string, ConfigValue>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, reveal(value)]));
}
