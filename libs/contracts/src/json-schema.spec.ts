import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsPositive, IsString, ValidateNested } from 'class-validator';
import { describe, expect, it } from 'vitest';
import { jsonSchemaOf } from './json-schema';

class Inner {
  @IsString() name: string;
}

class Outer {
  @IsInt() count: number;
  @IsOptional() @IsString({ each: true }) tags?: string[];
  @ValidateNested({ each: true }) @Type(() => Inner) inners: Inner[];
}

class Unmapped {
  @IsPositive() size: number;
}

class Untyped {
  @ValidateNested() inner: Inner;
}

describe('jsonSchemaOf', () => {
  it('turns validators into JSON Schema, nested classes into shared definitions', () => {
    const definitions = {};
    expect(jsonSchemaOf(Outer, definitions)).toEqual({ $ref: '#/components/schemas/Outer' });
    expect(definitions).toEqual({
      Outer: {
        type: 'object',
        properties: { count: { type: 'integer' }, tags: { type: 'array', items: { type: 'string' } }, inners: { type: 'array', items: { $ref: '#/components/schemas/Inner' } } },
        required: ['count', 'inners'],
        additionalProperties: true,
      },
      Inner: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: true },
    });
  });

  it('refuses a validator it cannot describe rather than leaving it out', () => {
    expect(() => jsonSchemaOf(Unmapped, {})).toThrow('Unmapped.size: no JSON Schema mapping for validator "isPositive"');
  });

  it('refuses a nested property without @Type', () => {
    expect(() => jsonSchemaOf(Untyped, {})).toThrow('Untyped.inner: @ValidateNested needs @Type(() => Class)');
  });
});
