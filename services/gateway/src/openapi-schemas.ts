import * as contracts from '@arca/contracts';
import { jsonSchemaOf } from '@arca/contracts';
import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { ParameterObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { AppModule } from './app.module';

type Schema = { properties?: Record<string, Record<string, unknown>>; required?: string[] };
type Dto = new () => object;

/**
 * Fills in what each route validates, from the class-validator decorators of its DTOs (the swagger
 * plugin is not used, so Nest names each body class but lists no fields, and lists no fields of a
 * query DTO at all): the request bodies' schemas (types, ranges, patterns, required fields, and
 * `additionalProperties: false`, as the global pipe refuses other fields), and the query
 * parameters of `@Query() query: SomeQuery`. e2e/src/fuzz-rest.spec.ts fuzzes what this says.
 */
export function describeValidation(document: OpenAPIObject): void {
  const schemas = (document.components ??= {}).schemas ??= {};
  const described: Record<string, Schema> = {};
  for (const name of Object.keys(schemas)) {
    const model = (contracts as Record<string, unknown>)[name];
    if (typeof model === 'function') jsonSchemaOf(model as Dto, described, { additionalProperties: false });
  }
  Object.assign(schemas, described);
  for (const controller of Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, AppModule) as Type[]) describeQueries(document, controller);
}

function describeQueries(document: OpenAPIObject, controller: Type): void {
  const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
  for (const method of Object.getOwnPropertyNames(controller.prototype)) {
    const handler = controller.prototype[method] as object;
    const route = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
    if (route === undefined || method === 'constructor') continue;
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {}) as Record<string, { index: number; data?: unknown }>;
    const types = (Reflect.getMetadata('design:paramtypes', controller.prototype, method) ?? []) as unknown[];
    for (const [key, arg] of Object.entries(args)) {
      const dto = types[arg.index];
      if (Number(key.split(':')[0]) !== RouteParamtypes.QUERY || arg.data !== undefined || typeof dto !== 'function' || !(dto.name in contracts)) continue;
      const path = `/${[base, route].join('/').split('/').filter(Boolean).map((s) => s.replace(/^:(.+)$/, '{$1}')).join('/')}`;
      const operation = document.paths[path]?.[RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as number].toLowerCase() as 'get'];
      if (!operation) continue;
      const definitions: Record<string, Schema> = {};
      jsonSchemaOf(dto as Dto, definitions, { additionalProperties: false });
      const { properties = {}, required = [] } = definitions[dto.name];
      const fields: ParameterObject[] = Object.entries(properties).map(([name, schema]) => ({ name, in: 'query', required: required.includes(name), schema }));
      operation.parameters = [...(operation.parameters ?? []).filter((p) => !('name' in p) || !(p.name in properties)), ...fields];
    }
  }
}
