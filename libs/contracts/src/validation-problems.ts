import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

/** class-validator's nested errors as flat sentences, each starting with the full path of its field. */
function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) =>
      message.startsWith(path) ? message : message.startsWith(e.property) ? path + message.slice(e.property.length) : `${path}: ${message}`,
    );
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/**
 * Checks a value against a payload or DTO class; returns the instance (unknown fields dropped)
 * and every problem, each naming its field (`source.kind must be one of …`).
 */
export function validationProblems<T extends object>(cls: new () => T, value: unknown, options: { forbidUnknownFields?: boolean } = {}): { instance: T; problems: string[] } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { instance: value as T, problems: [`expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`] };
  }
  const instance = plainToInstance(cls, value);
  // Events drop fields they do not know (a newer producer may add some); requests may refuse them.
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: options.forbidUnknownFields ?? false, forbidUnknownValues: true });
  return { instance, problems: flatten(errors) };
}
