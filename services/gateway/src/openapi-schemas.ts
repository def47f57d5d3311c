import * as contracts from '@arca/contracts';
import { jsonSchemaOf } from '@arca/contracts';
import type { OpenAPIObject } from '@nestjs/swagger';

type Schema = Record<string, unknown>;

/**
 * Fills in the request bodies' schemas from their class-validator decorators (the swagger plugin
 * is not used, so Nest names each body class but lists no fields). The document then says what
 * each route validates: types, ranges, patterns, required fields, and that other fields are
 * refused (`additionalProperties: false`, as the global ValidationPipe forbids them).
 */
export function describeRequestBodies(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ??= {};
  const described: Record<string, Schema> = {};
  for (const name of Object.keys(schemas)) {
    const model = (contracts as Record<string, unknown>)[name];
    if (typeof model === 'function') jsonSchemaOf(model as new () => object, described, { additionalProperties: false });
  }
  Object.assign(schemas, described);
}
