import 'reflect-metadata';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

/** A configuration problem, reported as one line that names the variable and what was expected. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Variables whose values are secrets: a configuration error must not print them into logs. */
const SECRET = /PASSPHRASE|PASSWORD|SECRET|TOKEN|(^|_)KEY$/;

/** The value as a configuration error may show it: secrets by length only, URLs without a password. */
function shown(name: string, value: string): string {
  if (SECRET.test(name)) return `a value of ${value.length} characters, not shown`;
  try {
    const url = new URL(value);
    if (url.password) {
      url.password = '***';
      return JSON.stringify(url.toString());
    }
  } catch {
    // not a URL
  }
  return JSON.stringify(value);
}

function describe(error: ValidationError, env: Record<string, string | undefined>): string {
  const got = env[error.property];
  const reasons = Object.values(error.constraints ?? {}).join('; ');
  return `${reasons} (got ${got === undefined ? 'nothing' : shown(error.property, got)})`;
}

/**
 * Reads environment variables into a class decorated with class-validator, keeping the class's
 * field initialisers as defaults. Throws one ConfigError naming every bad variable, so a service
 * stops at start instead of failing later on first use.
 */
export function loadConfig<T extends object>(cls: new () => T, env: Record<string, string | undefined> = process.env): T {
  const defaults = new cls() as Record<string, unknown>;
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    raw[key] = value === undefined || value === '' ? defaults[key] : value;
  }
  const config = plainToInstance(cls, raw, { enableImplicitConversion: false });
  const errors = validateSync(config, { forbidUnknownValues: true });
  if (errors.length > 0) {
    throw new ConfigError(errors.map((e) => describe(e, env)).join(' | '));
  }
  return config;
}
