import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { describe, expect, it } from 'vitest';
import { GatewayEvents } from './gateway-events';
import { JobsController } from './jobs.controller';
import { describeValidation } from './openapi-schemas';
import { PoliciesController } from './policies.controller';
import { ServiceClient } from './service-client';

describe('the OpenAPI document says what each route validates', () => {
  it('describes request bodies and query DTOs from their class-validator decorators', async () => {
    const module = await Test.createTestingModule({ controllers: [JobsController, PoliciesController], providers: [{ provide: ServiceClient, useValue: {} }, { provide: GatewayEvents, useValue: {} }] }).compile();
    const app = module.createNestApplication({ logger: false });
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
    describeValidation(document);
    expect(document.paths['/jobs'].get!.parameters).toEqual([
      { name: 'limit', in: 'query', required: false, schema: { type: 'string', pattern: '^([1-9]\\d{0,2}|1000)$' } },
      { name: 'kind', in: 'query', required: false, schema: { enum: ['backup', 'restore', 'check', 'prune', 'recover', 'verify'] } },
    ]);
    expect(document.paths['/policies'].post!.requestBody).toEqual({ required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PolicySpec' } } } });
    expect(document.components!.schemas!.PolicySpec).toMatchObject({ type: 'object', required: ['name', 'retention', 'rpoMinutes', 'schedule', 'source'], additionalProperties: false });
    expect(document.components!.schemas!.SourceSpec).toMatchObject({ properties: { kind: { enum: ['directory', 'postgres', 'stream'] } }, additionalProperties: false });
    await app.close();
  });
});
