import { ValidateIf } from 'class-validator';

/** The condition behind @Nullable(); json-schema.ts recognises it to publish `type: [T, "null"]`. */
export function validatesUnlessNull(_object: object, value: unknown): boolean {
  return value !== null;
}

/**
 * The property is required but may be null (a figure that is undefined for this run, such as a
 * ratio over zero bytes); any other value must pass the property's other validators.
 */
export function Nullable(): PropertyDecorator {
  return ValidateIf(validatesUnlessNull);
}
