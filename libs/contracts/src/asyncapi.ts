import { EventEnvelope, EVENT_VERSION } from './envelope';
import { jsonSchemaOf } from './json-schema';
import { TOPIC_CATALOGUE } from './topics';

/** The AsyncAPI 3.0 document for every topic, built from the catalogue and the payload classes. */
export function buildAsyncApi(): Record<string, unknown> {
  const schemas: Record<string, Record<string, unknown>> = {};
  jsonSchemaOf(EventEnvelope, schemas);
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  for (const [topic, entry] of Object.entries(TOPIC_CATALOGUE)) {
    const id = topic.replace(/\./g, '_');
    const payloadRef = jsonSchemaOf(entry.payload, schemas);
    messages[id] = {
      name: topic,
      title: topic,
      summary: entry.description,
      contentType: 'application/json',
      headers: {
        type: 'object',
        properties: {
          traceparent: { type: 'string', description: 'W3C trace context of the job this event belongs to' },
          tracestate: { type: 'string' },
        },
      },
      payload: {
        allOf: [
          { $ref: '#/components/schemas/EventEnvelope' },
          { type: 'object', properties: { type: { const: topic }, version: { const: EVENT_VERSION }, payload: payloadRef } },
        ],
      },
      bindings: { kafka: { key: { type: 'string', description: `the payload's ${entry.key}` } } },
    };
    channels[id] = { address: topic, description: entry.description, messages: { [id]: { $ref: `#/components/messages/${id}` } } };
    operations[`${entry.publisher}_publishes_${id}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${id}` },
      summary: `${entry.publisher} publishes ${topic}`,
    };
    for (const consumer of entry.consumers) {
      operations[`${consumer}_receives_${id}`] = {
        action: 'receive',
        channel: { $ref: `#/channels/${id}` },
        summary: `${consumer} consumes ${topic} in consumer group arca-${consumer}`,
      };
    }
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Arca events',
      version: `${EVENT_VERSION}.0.0`,
      description:
        'Every Kafka topic Arca services publish. Each message is a JSON envelope (eventId, type, version, occurredAt, jobId, actor, tenant, payload); ' +
        'consumers skip eventIds they already processed. A message a consumer cannot process goes to `<topic>.dlq` with x-dlq-reason and the original bytes.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages, schemas },
  };
}
