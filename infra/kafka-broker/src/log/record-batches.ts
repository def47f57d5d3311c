/**
 * RecordBatch (magic v2) framing. The broker stores batches exactly as producers sent them and
 * only rewrites baseOffset, which the batch CRC does not cover (it starts at `attributes`).
 */
export const BATCH_HEADER_OVERHEAD = 12; // baseOffset int64 + batchLength int32
const MAGIC_OFFSET = 16;
const LAST_OFFSET_DELTA_OFFSET = 23;

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
