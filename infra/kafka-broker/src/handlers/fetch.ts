import { BrokerContext } from '../broker-context';
import { ByteReader, ByteWriter } from '../protocol/bytes';
import { ErrorCode } from '../protocol/errors';

interface FetchPartition {
  partition: number;
  offset: number;
  maxBytes: number;
}

interface PartitionResult {
  partition: number;
  error: number;
  highWatermark: number;
  batches: Buffer[];
}

function collect(ctx: BrokerContext, topics: Array<{ topic: string; partitions: FetchPartition[] }>, maxBytes: number) {
  let total = 0;
  const results = topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((p): PartitionResult => {
      const log = ctx.topics.partition(t.topic, p.partition);
      if (!log) return { partition: p.partition, error: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, highWatermark: -1, batches: [] };
      if (p.offset > log.nextOffset || p.offset < log.logStartOffset) {
        return { partition: p.partition, error: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: log.nextOffset, batches: [] };
      }
      const budget = Math.max(0, Math.min(p.maxBytes, maxBytes - total));
      const batches = budget > 0 || total === 0 ? log.read(p.offset, budget) : [];
      total += batches.reduce((n, b) => n + b.length, 0);
      return { partition: p.partition, error: ErrorCode.NONE, highWatermark: log.nextOffset, batches };
    }),
  }));
  return { results, total };
}

/**
 * Fetch v4 with long polling: when fewer than minBytes are available the answer waits until a
 * produce brings more or maxWaitTime passes, so idle consumers don't spin.
 */
export async function handleFetch(ctx: BrokerContext, r: ByteReader, isClosed: () => boolean): Promise<Buffer> {
  r.int32();
  const maxWait = r.int32();
  const minBytes = r.int32();
  const maxBytes = r.int32();
  r.int8();
  const topics = r.array((x) => ({
    topic: x.string(),
    partitions: x.array((y) => ({ partition: y.int32(), offset: Number(y.int64()), maxBytes: y.int32() })),
  }));

  const first = collect(ctx, topics, maxBytes);
  let results = first.results;
  const total = first.total;
  if (total < Math.max(minBytes, 1) && maxWait > 0) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, maxWait);
      const unsubscribe = ctx.onAppend(() => {
        if (collect(ctx, topics, maxBytes).total >= Math.max(minBytes, 1)) done();
      });
      function done() {
        clearTimeout(timer);
        unsubscribe();
        resolve();
      }
    });
    if (!isClosed()) ({ results } = collect(ctx, topics, maxBytes));
  }

  const w = new ByteWriter();
  w.int32(0);
  w.array(results, (x, t) => {
    x.string(t.topic);
    x.array(t.partitions, (y, p) => {
      y.int32(p.partition).int16(p.error).int64(p.highWatermark).int64(p.highWatermark);
      y.int32(-1); // no aborted transactions (null array)
      y.bytesOf(p.batches);
    });
  });
  return w.toBuffer();
}

/**
 * ListOffsets v1: -1 asks for the end of the log, -2 for its start, any other value for the first
 * record stamped at or after that time (-1 when there is none, as Kafka answers).
 */
export function handleListOffsets(ctx: BrokerContext, r: ByteReader): Buffer {
  r.int32();
  const topics = r.array((x) => ({ topic: x.string(), partitions: x.array((y) => ({ partition: y.int32(), timestamp: Number(y.int64()) })) }));
  const w = new ByteWriter();
  w.array(topics, (x, t) => {
    x.string(t.topic);
    x.array(t.partitions, (y, p) => {
      ctx.ensureTopic(t.topic);
      const log = ctx.topics.partition(t.topic, p.partition);
      if (!log) return void y.int32(p.partition).int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).int64(-1).int64(-1);
      if (p.timestamp === -1) return void y.int32(p.partition).int16(ErrorCode.NONE).int64(-1).int64(log.nextOffset);
      if (p.timestamp === -2) return void y.int32(p.partition).int16(ErrorCode.NONE).int64(-1).int64(log.logStartOffset);
      const found = log.offsetForTimestamp(p.timestamp);
      y.int32(p.partition).int16(ErrorCode.NONE).int64(found?.timestamp ?? -1).int64(found?.offset ?? -1);
    });
  });
  return w.toBuffer();
}
