import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';

/**
 * The global pipe of every service: class-validator on every DTO, fields a DTO does not name
 * refused (`forbidNonWhitelisted`), values turned into the DTO's types. Three holes of the plain
 * ValidationPipe are closed: a JSON body that is not an object (an array, `null`, a string) is
 * refused instead of reaching the handler as if it were one; a field named like a property of
 * every object (`__proto__`, `constructor`, `toString`, `prototype`…: JSON.parse keeps it as an
 * own field, class-transformer drops it without a word, so the whitelist never saw it) is refused
 * like any other field the DTO does not name, at any depth; and a string with a NUL character,
 * in a body, a query or a path parameter, is refused naming its field (Postgres cannot store
 * one: it reached the database and came back a 500).
 */
export class RequestValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' && value !== undefined && this.toValidate(metadata)) {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw new BadRequestException(`the body must be a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
      }
    }
    if (metadata.type !== 'custom') {
      const problem = refusedField(value, metadata.data ?? '');
      if (problem) throw new BadRequestException(problem);
    }
    return super.transform(value, metadata);
  }
}

function refusedField(value: unknown, path: string): string | undefined {
  if (typeof value === 'string') return value.includes('\0') ? `${path || 'the value'} must not contain a NUL character` : undefined;
  if (!value || typeof value !== 'object') return undefined;
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key in Object.prototype || key === 'prototype') return `property ${here} should not exist`;
    const found = refusedField((value as Record<string, unknown>)[key], here);
    if (found) return found;
  }
  return undefined;
}
