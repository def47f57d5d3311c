import { BrokerContext } from '../broker-context';
import { SequenceError } from '../log/producer-state';
import { CorruptBatchError } from '../log/record-batches';
import { ByteReader, ByteWriter } from '../protocol/bytes';
import { ErrorCode } from '../protocol/errors';

/** Produce v3. Returns null for acks=0, which Kafka never answers. */
export function handleProduce(ctx: BrokerContext, r: ByteReader): Buffer | null {
  r.nullableString(); // transactional id: transactions are not supported by this broker
  const acks = r.int16();
  r.int32();
  const topics = r.array((x) => ({
    topic: x.string(),
    partitions: x.array((y) => ({ partition: y.int32(), records: y.bytes() })),
  }));
  const touched = new Set<{ sync(): void }>();
  const results = topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p) => {
      const topicError = ctx.ensureTopic(t.topic);
      if (topicError !== ErrorCode.NONE) return { partition: p.partition, error: topicError, baseOffset: -1 };
      const log = ctx.topics.partition(t.topic, p.partition);
      if (!log) return { partition: p.partition, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1 };
      try {
        const baseOffset = log.append(p.records);
        touched.add(log);
        return { partition: p.partition, error: ErrorCode.NONE, baseOffset };
      } catch (error) {
        if (!(error instanceof CorruptBatchError) && !(error instanceof SequenceError)) throw error;
        ctx.log(`rejected produce to ${t.topic}/${p.partition}: ${error.message}`);
        return { partition: p.partition, error: error instanceof SequenceError ? error.code : ErrorCode.CORRUPT_MESSAGE, baseOffset: -1 };
      }
    }),
  }));
  // Durable before acknowledged: one fdatasync per partition written by this request.
  for (const log of touched) log.sync();
  if (touched.size > 0) ctx.notifyAppend();
  if (acks === 0) return null;
  const w = new ByteWriter();
  w.array(results, (x, t) => {
    x.string(t.topic);
    x.array(t.partitions, (y, p) => y.int32(p.partition).int16(p.error).int64(p.baseOffset).int64(-1));
  });
  return w.int32(0).toBuffer();
}
