import { EventEnvelope, EVENT_VERSION } from './envelope';
import { jsonSchemaOf } from './json-schema';
import { Topic, TOPIC_CATALOGUE } from './topics';

type Schema = Record<string, unknown>;

/** How long the previous version of an event keeps being published beside a new one. */
export const SUPERSEDED_VERSION_PUBLISHED_DAYS = 180;

/** The id (`$id`, and the CloudEvents `dataschema`) of an event type's JSON Schema at a version. */
export function eventSchemaId(topic: string, version: number = EVENT_VERSION): string {
  return `urn:arca:event:${topic}:v${version}`;
}

/** The schema version of a topic's events (the envelope's `version`). */
export function eventVersionOf(topic: Topic): number {
  const entry = TOPIC_CATALOGUE[topic] as { version?: number };
  return entry.version ?? EVENT_VERSION;
}

/** Rewrites AsyncAPI component references into references to the schema's own `$defs`. */
function localRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(localRefs);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, k === '$ref' && typeof v === 'string' ? v.replace('#/components/schemas/', '#/$defs/') : localRefs(v)]));
  }
  return value;
}

/**
 * A self-contained JSON Schema (draft 2020-12) of one topic's messages at its current version: the
 * envelope with `type` and `version` fixed and the payload's class, with every class it refers to in
 * `$defs`. Built from the same class-validator decorators consumers validate with.
 */
export function eventJsonSchema(topic: Topic): Schema {
  const defs: Record<string, Schema> = {};
  jsonSchemaOf(EventEnvelope, defs);
  const payloadRef = jsonSchemaOf(TOPIC_CATALOGUE[topic].payload, defs);
  const envelope = defs.EventEnvelope as { properties: Record<string, Schema>; required: string[] };
  delete defs.EventEnvelope;
  const version = eventVersionOf(topic);
  return localRefs({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: eventSchemaId(topic, version),
    title: `${topic} v${version}`,
    description: TOPIC_CATALOGUE[topic].description,
    type: 'object',
    properties: { ...envelope.properties, type: { const: topic }, version: { const: version }, payload: payloadRef },
    required: envelope.required,
    additionalProperties: true,
    $defs: Object.fromEntries(Object.entries(defs).sort(([a], [b]) => a.localeCompare(b))),
  }) as Schema;
}

/** Every event's JSON Schema, keyed `<topic>@v<version>`: the form the compatibility snapshot is committed in. */
export function eventSchemas(): Record<string, Schema> {
  return Object.fromEntries((Object.keys(TOPIC_CATALOGUE) as Topic[]).map((topic) => [`${topic}@v${eventVersionOf(topic)}`, eventJsonSchema(topic)]));
}
