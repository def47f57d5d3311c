import { EventEnvelope, EVENT_VERSION } from './envelope';
import { jsonSchemaOf } from './json-schema';
import { eventSchemaId, eventVersionOf } from './event-schemas';
import { Topic, TOPIC_CATALOGUE } from './topics';

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
          baggage: { type: 'string', description: 'W3C baggage: arca.job_id' },
          'arca-service': { type: 'string', description: 'the service that published the event' },
          ce_specversion: { const: '1.0', description: 'CloudEvents 1.0, Kafka binding, binary content mode: the message value is the event data' },
          ce_id: { type: 'string', format: 'uuid', description: 'the envelope eventId' },
          ce_source: { type: 'string', description: '/arca/<publishing service>' },
          ce_type: { const: `io.arca.${topic}` },
          ce_time: { type: 'string', format: 'date-time', description: 'the envelope occurredAt' },
          ce_subject: { type: 'string', description: 'the job id, else the message key' },
          ce_dataschema: { const: eventSchemaId(topic, eventVersionOf(topic as Topic)) },
          ce_tenant: { type: 'string', description: 'the tenant (extension attribute), default when the envelope names none' },
          'content-type': { const: 'application/json' },
        },
        required: ['ce_specversion', 'ce_id', 'ce_source', 'ce_type', 'ce_time'],
      },
      payload: {
        allOf: [
          { $ref: '#/components/schemas/EventEnvelope' },
          { type: 'object', properties: { type: { const: topic }, version: { const: eventVersionOf(topic as Topic) }, payload: payloadRef } },
        ],
      },
      'x-arca-schema': eventSchemaId(topic, eventVersionOf(topic as Topic)),
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
        'consumers skip eventIds they already processed. Every message also carries the CloudEvents 1.0 attributes as ce_* headers (binary content mode). ' +
        'Each event type is versioned (the envelope version; rules in docs/events.md); GET /events/schemas on the gateway serves the JSON Schema of each. A message a consumer cannot process goes to `<topic>.dlq` with x-dlq-reason and the original bytes.',
    },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { messages, schemas },
  };
}
