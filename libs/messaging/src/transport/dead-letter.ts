import { deadLetterTopic, DLQ_HEADERS } from '@arca/contracts';
import { IHeaders, KafkaMessage, Message } from 'kafkajs';

/**
 * The message to put on `<topic>.dlq` for one that could not be processed: its original key,
 * bytes and headers untouched (so it can be inspected and replayed as it was), plus headers saying
 * why and where it came from.
 */
export function deadLetterOf(source: { topic: string; partition: number; groupId: string }, message: KafkaMessage, reason: string): { topic: string; message: Message } {
  const headers: IHeaders = {
    ...(message.headers ?? {}),
    [DLQ_HEADERS.reason]: reason,
    [DLQ_HEADERS.sourceTopic]: source.topic,
    [DLQ_HEADERS.partition]: String(source.partition),
    [DLQ_HEADERS.offset]: message.offset,
    [DLQ_HEADERS.consumerGroup]: source.groupId,
  };
  return { topic: deadLetterTopic(source.topic), message: { key: message.key, value: message.value, headers } };
}
