import { EventEnvelope, EventOf } from './envelope';
import { eventVersionOf } from './event-schemas';
import { isTopic, Topic, TOPIC_CATALOGUE } from './topics';
import { validationProblems } from './validation-problems';

export type ValidationResult<T extends Topic> = { ok: true; event: EventOf<T> } | { ok: false; reason: string };

/**
 * Parses and validates a message consumed from `topic`: JSON (a Buffer or a string; an object is
 * taken as already parsed), the envelope, then the topic's payload class. The reason names every
 * failing field, for the dead-letter topic's x-dlq-reason header.
 */
export function validateEvent<T extends Topic>(topic: T | string, raw: unknown): ValidationResult<T> {
  if (!isTopic(topic)) return { ok: false, reason: `unknown topic "${topic}"` };
  if (raw === null || raw === undefined || ((Buffer.isBuffer(raw) || typeof raw === 'string') && raw.length === 0)) return { ok: false, reason: 'empty message' };
  let parsed: unknown = raw;
  if (Buffer.isBuffer(raw) || typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw.toString());
    } catch (error) {
      return { ok: false, reason: `not JSON: ${(error as Error).message}` };
    }
  }
  const envelope = validationProblems(EventEnvelope, parsed);
  if (envelope.problems.length > 0) return { ok: false, reason: `invalid envelope: ${envelope.problems.join('; ')}` };
  if (envelope.instance.type !== topic) return { ok: false, reason: `envelope type "${envelope.instance.type}" does not match topic "${topic}"` };
  const version = eventVersionOf(topic);
  if (envelope.instance.version !== version) {
    return { ok: false, reason: `unsupported ${topic} version ${envelope.instance.version} (this consumer reads version ${version})` };
  }
  const payload = validationProblems(TOPIC_CATALOGUE[topic].payload as new () => object, (parsed as { payload: unknown }).payload);
  if (payload.problems.length > 0) return { ok: false, reason: `invalid ${topic} payload: ${payload.problems.join('; ')}` };
  return { ok: true, event: { ...envelope.instance, payload: payload.instance } as EventOf<T> };
}
