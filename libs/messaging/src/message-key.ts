import { Topic, TOPIC_CATALOGUE } from '@arca/contracts';

/**
 * The Kafka message key of an event: the payload field the catalogue names for its topic, so all
 * events of one job (or policy, or snapshot) land on one partition and keep their order.
 */
export function keyOf(topic: Topic, payload: object): string | undefined {
  const value = (payload as Record<string, unknown>)[TOPIC_CATALOGUE[topic].key];
  return value === undefined || value === null ? undefined : String(value);
}
