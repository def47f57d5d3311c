import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';

/**
 * The global pipe of every service: class-validator on every DTO, fields a DTO does not name
 * refused (`forbidNonWhitelisted`), values turned into the DTO's types. Two holes of the plain
 * ValidationPipe are closed: a JSON body that is not an object (an array, `null`, a string) is
 * refused instead of reaching the handler as if it were one, and a field named like a property of
 * every object (`__proto__`, `constructor`, `toString`, `prototype`…: JSON.parse keeps it as an
 * own field, class-transformer drops it without a word, so the whitelist never saw it) is refused
 * like any other field the DTO does not name, at any depth.
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
      const hidden = hiddenField(value, '');
      if (hidden) throw new BadRequestException(`property ${hidden} should not exist`);
    }
    return super.transform(value, metadata);
  }
}

function hiddenField(value: object, path: string): string | undefined {
  for (const key of Object.keys(value)) {
    const here = path ? `${path}.${key}` : key;
    if (key in Object.prototype || key === 'prototype') return here;
    const inner = (value as Record<string, unknown>)[key];
    if (inner && typeof inner === 'object') {
      const found = hiddenField(inner, here);
      if (found) return found;
    }
  }
  return undefined;
}
