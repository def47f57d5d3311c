/**
 * RecordBatch (magic v2) framing. The broker stores batches exactly as producers sent them and
 * only rewrites baseOffset, which the batch CRC does not cover (it starts at `attributes`).
 */
import { gunzipSync } from 'node:zlib';

export const BATCH_HEADER_OVERHEAD = 12; // baseOffset int64 + batchLength int32
const MAGIC_OFFSET = 16;
const ATTRIBUTES_OFFSET = 21;
const LAST_OFFSET_DELTA_OFFSET = 23;
const FIRST_TIMESTAMP_OFFSET = 27;
const MAX_TIMESTAMP_OFFSET = 35;
const PRODUCER_ID_OFFSET = 43;
const PRODUCER_EPOCH_OFFSET = 51;
const BASE_SEQUENCE_OFFSET = 53;
const RECORDS_OFFSET = 61;
const CODEC_NONE = 0;
const CODEC_GZIP = 1;

export interface BatchView {
  /** Bytes of the whole batch (a view into the source buffer). */
  bytes: Buffer;
  lastOffsetDelta: number;
}

export class CorruptBatchError extends Error {}

/** Splits a record set into its batches; throws on anything that is not a whole v2 batch. */
export function splitBatches(recordSet: Buffer): BatchView[] {
  const batches: BatchView[] = [];
  let pos = 0;
  while (pos < recordSet.length) {
    if (recordSet.length - pos < 61) throw new CorruptBatchError(`record set has ${recordSet.length - pos} trailing bytes, too few for a record batch`);
    const size = BATCH_HEADER_OVERHEAD + recordSet.readInt32BE(pos + 8);
    if (size > recordSet.length - pos) throw new CorruptBatchError(`record batch at byte ${pos} claims ${size} bytes but only ${recordSet.length - pos} remain`);
    const magic = recordSet.readInt8(pos + MAGIC_OFFSET);
    if (magic !== 2) throw new CorruptBatchError(`record batch magic ${magic} is not supported (only v2 record batches)`);
    batches.push({ bytes: recordSet.subarray(pos, pos + size), lastOffsetDelta: recordSet.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET) });
    pos += size;
  }
  return batches;
}

/**
 * Reads whole batches from a stored log, stopping at the first incomplete one (a torn write at
 * the end of a crashed append); returns the batches and how many bytes were valid.
 */
export function scanLog(log: Buffer): { batches: Array<{ baseOffset: number; bytes: Buffer; lastOffsetDelta: number }>; validBytes: number } {
  const batches: Array<{ baseOffset: number; bytes: Buffer; lastOffsetDelta: number }> = [];
  let pos = 0;
  while (log.length - pos >= 61) {
    const size = BATCH_HEADER_OVERHEAD + log.readInt32BE(pos + 8);
    if (size < 61 || size > log.length - pos) break;
    const bytes = log.subarray(pos, pos + size);
    batches.push({ baseOffset: Number(log.readBigInt64BE(pos)), bytes, lastOffsetDelta: log.readInt32BE(pos + LAST_OFFSET_DELTA_OFFSET) });
    pos += size;
  }
  return { batches, validBytes: pos };
}

export function setBaseOffset(batch: Buffer, baseOffset: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), 0);
}

/** The largest record timestamp in a batch (ms since the epoch). */
export function maxTimestamp(batch: Buffer): number {
  return Number(batch.readBigInt64BE(MAX_TIMESTAMP_OFFSET));
}

/** A zigzag varint (Kafka's record fields) read at `pos`; returns the value and the next position. */
function varint(buffer: Buffer, pos: number): [value: number, next: number] {
  let raw = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buffer[pos++];
    if (byte === undefined) throw new CorruptBatchError('record varint runs past the end of its batch');
    raw |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
    shift += 7n;
  }
  return [Number((raw >> 1n) ^ -(raw & 1n)), pos];
}

/**
 * The batch's first record stamped at or after `timestamp` (its offset and time), for ListOffsets
 * by time. Records are read when the batch is uncompressed or gzip'ed; for other codecs (whose
 * libraries this broker does not carry) the answer is the batch's first record, a little early but
 * never past a matching one. Undefined when every record is older.
 */
export function offsetAtOrAfter(batch: Buffer, timestamp: number): { offset: number; timestamp: number } | undefined {
  if (maxTimestamp(batch) < timestamp) return undefined;
  const baseOffset = Number(batch.readBigInt64BE(0));
  const firstTimestamp = Number(batch.readBigInt64BE(FIRST_TIMESTAMP_OFFSET));
  const codec = batch.readInt16BE(ATTRIBUTES_OFFSET) & 0x07;
  let records: Buffer;
  if (codec === CODEC_NONE) records = batch.subarray(RECORDS_OFFSET);
  else if (codec === CODEC_GZIP) records = gunzipSync(batch.subarray(RECORDS_OFFSET));
  else return { offset: baseOffset, timestamp: firstTimestamp };
  const count = batch.readInt32BE(RECORDS_OFFSET - 4);
  let pos = 0;
  for (let i = 0; i < count; i++) {
    const [length, bodyStart] = varint(records, pos);
    const [timestampDelta, afterTimestamp] = varint(records, bodyStart + 1); // after the attributes byte
    const [offsetDelta] = varint(records, afterTimestamp);
    if (firstTimestamp + timestampDelta >= timestamp) return { offset: baseOffset + offsetDelta, timestamp: firstTimestamp + timestampDelta };
    pos = bodyStart + length;
  }
  return { offset: baseOffset, timestamp: firstTimestamp };
}

/** Who wrote a batch, for an idempotent producer's batches (producer id and sequence set). */
export interface ProducerHeader {
  producerId: bigint;
  epoch: number;
  firstSequence: number;
  lastSequence: number;
}

/** The batch's producer fields, or undefined when it comes from a producer that is not idempotent. */
export function producerHeader(batch: Buffer): ProducerHeader | undefined {
  const producerId = batch.readBigInt64BE(PRODUCER_ID_OFFSET);
  const firstSequence = batch.readInt32BE(BASE_SEQUENCE_OFFSET);
  if (producerId < 0n || firstSequence < 0) return undefined;
  const lastSequence = (firstSequence + batch.readInt32BE(LAST_OFFSET_DELTA_OFFSET)) % 2 ** 31;
  return { producerId, epoch: batch.readInt16BE(PRODUCER_EPOCH_OFFSET), firstSequence, lastSequence };
}
