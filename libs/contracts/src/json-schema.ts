// class-transformer keeps @Type metadata in an internal module without typings.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as { defaultMetadataStorage: { findTypeMetadata(target: object, property: string): { typeFunction(): unknown } | undefined } };
import { getMetadataStorage } from 'class-validator';
import { validatesUnlessNull } from './common/nullable';

type Schema = Record<string, unknown>;
type Cls = new () => object;

/**
 * JSON Schema for a class-validator class, from the decorators themselves, so the published
 * description cannot drift from what consumers actually validate. Covers the decorators our
 * contracts use; an unknown one fails loudly rather than being left out silently.
 * `additionalProperties: false` describes request bodies, which refuse fields they do not name.
 */
export function jsonSchemaOf(cls: Cls, definitions: Record<string, Schema>, options: { additionalProperties?: boolean } = {}): Schema {
  const name = cls.name;
  if (definitions[name]) return { $ref: `#/components/schemas/${name}` };
  definitions[name] = {}; // placeholder breaks cycles
  const metadata = getMetadataStorage().getTargetValidationMetadatas(cls, '', true, false);
  const properties: Record<string, Schema> = {};
  const required = new Set<string>();
  const optional = new Set<string>();
  const nullable = new Set<string>();
  for (const m of metadata) {
    const prop = (properties[m.propertyName] ??= {});
    const target = m.each ? ((prop.items as Schema | undefined) ?? (prop.items = {}), prop.items as Schema) : prop;
    if (m.each) prop.type = 'array';
    const c = m.constraints ?? [];
    switch (m.name ?? m.type) {
      case 'isOptional': optional.add(m.propertyName); break;
      case 'isDefined': break; // required, as every field not optional
      case 'conditionalValidation': (c[0] === validatesUnlessNull ? nullable : optional).add(m.propertyName); break;
      case 'isString': target.type = 'string'; break;
      case 'isInt': target.type = 'integer'; break;
      case 'isNumber': target.type = 'number'; break;
      case 'isBoolean': target.type = 'boolean'; break;
      case 'isUuid': target.type = 'string'; target.format = 'uuid'; break;
      case 'isIso8601': case 'isDateString': target.type = 'string'; target.format = 'date-time'; break;
      case 'isIn': target.enum = c[0]; break;
      case 'min': target.minimum = c[0]; break;
      case 'max': target.maximum = c[0]; break;
      case 'maxLength': target.maxLength = c[0]; break;
      case 'minLength': target.minLength = c[0]; break;
      case 'matches': target.type = 'string'; target.pattern = (c[0] as RegExp).source; break;
      case 'isArray': prop.type = 'array'; prop.items ??= {}; break;
      case 'arrayMaxSize': prop.maxItems = c[0]; break;
      case 'arrayNotEmpty': prop.type = 'array'; prop.minItems = 1; break;
      case 'arrayUnique': prop.type = 'array'; prop.uniqueItems = true; break;
      case 'isObject': target.type = 'object'; break;
      case 'nestedValidation': {
        const typeMeta = defaultMetadataStorage.findTypeMetadata(cls, m.propertyName);
        const nested = typeMeta?.typeFunction() as Cls | undefined;
        if (!nested) throw new Error(`${name}.${m.propertyName}: @ValidateNested needs @Type(() => Class)`);
        jsonSchemaOf(nested, definitions, options);
        Object.assign(target, { $ref: `#/components/schemas/${nested.name}` });
        break;
      }
      default:
        throw new Error(`${name}.${m.propertyName}: no JSON Schema mapping for validator "${m.name ?? m.type}"`);
    }
    if (!optional.has(m.propertyName)) required.add(m.propertyName);
  }
  for (const p of optional) required.delete(p);
  for (const p of nullable) {
    const prop = properties[p];
    if (typeof prop.type === 'string') prop.type = [prop.type, 'null'];
  }
  definitions[name] = { type: 'object', properties, required: [...required].sort(), additionalProperties: options.additionalProperties ?? true };
  return { $ref: `#/components/schemas/${name}` };
}
