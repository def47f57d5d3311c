import { EventEnvelope, eventSchemaId, isTopic } from '@arca/contracts';

/** The CloudEvents 1.0 Kafka binding's header prefix (binary content mode). */
export const CE_PREFIX = 'ce_';

/** The reverse-DNS prefix of every Arca event's CloudEvents `type`: `io.arca.backup.completed`. */
export const CE_TYPE_PREFIX = 'io.arca.';

/**
 * The CloudEvents 1.0 attributes of an event, as Kafka headers in binary content mode: the message
 * value (the JSON envelope) is the event's data, `content-type` its datacontenttype, and
 * `ce_<attribute>` headers carry the rest, so CloudEvents SDKs and bridges read Arca's messages as
 * they are.
 * - `ce_id`: the envelope's eventId (what consumers deduplicate on);
 * - `ce_source`: `/arca/<service>`, the publishing service (`/arca` when unknown);
 * - `ce_type`: `io.arca.<topic>`; `ce_dataschema`: the JSON Schema of the event's version;
 * - `ce_time`: occurredAt; `ce_subject`: the job id, else the message key (policy, snapshot, pack);
 * - `ce_tenant` (an extension attribute): the tenant, `default` when the envelope names none.
 */
export function cloudEventHeaders(envelope: EventEnvelope, options: { service?: string; key?: string } = {}): Record<string, string> {
  const subject = envelope.jobId ?? options.key;
  return {
    [`${CE_PREFIX}specversion`]: '1.0',
    [`${CE_PREFIX}id`]: envelope.eventId,
    [`${CE_PREFIX}source`]: options.service ? `/arca/${options.service}` : '/arca',
    [`${CE_PREFIX}type`]: `${CE_TYPE_PREFIX}${envelope.type}`,
    [`${CE_PREFIX}time`]: envelope.occurredAt,
    ...(subject ? { [`${CE_PREFIX}subject`]: subject } : {}),
    ...(isTopic(envelope.type) ? { [`${CE_PREFIX}dataschema`]: eventSchemaId(envelope.type, envelope.version) } : {}),
    [`${CE_PREFIX}tenant`]: envelope.tenant ?? 'default',
    'content-type': 'application/json',
  };
}
