import { closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ProducerStates } from './producer-state';
import { offsetAtOrAfter, producerHeader, scanLog, setBaseOffset, splitBatches } from './record-batches';

interface StoredBatch {
  baseOffset: number;
  lastOffset: number;
  bytes: Buffer;
}

/**
 * One partition's log: an append-only file of record batches, mirrored in memory for fetches
 * (a development broker holds little data). Appends are written and fdatasync'ed before the
 * produce is acknowledged, so an acknowledged message survives a crash.
 */
export class PartitionLog {
  private readonly batches: StoredBatch[] = [];
  private readonly producers = new ProducerStates();
  private fd: number;
  private dirty = false;
  nextOffset = 0;

  constructor(directory: string) {
    mkdirSync(directory, { recursive: true });
    const file = path.join(directory, 'log');
    this.fd = openSync(file, 'a+');
    const { batches, validBytes } = scanLog(readFileSync(file));
    ftruncateSync(this.fd, validBytes); // drop a torn trailing write
    for (const b of batches) {
      const bytes = Buffer.from(b.bytes);
      this.batches.push({ baseOffset: b.baseOffset, lastOffset: b.baseOffset + b.lastOffsetDelta, bytes });
      this.nextOffset = b.baseOffset + b.lastOffsetDelta + 1;
      const producer = producerHeader(bytes);
      if (producer) this.producers.record(producer, b.baseOffset);
    }
  }

  /**
   * Appends a produced record set, returning the offset given to its first record. A batch an
   * idempotent producer retries is not written again: it answers the offset it already has.
   * Throws SequenceError for a batch out of sequence or from a fenced producer epoch.
   */
  append(recordSet: Buffer): number {
    let firstOffset: number | undefined;
    for (const view of splitBatches(recordSet)) {
      const producer = producerHeader(view.bytes);
      const written = producer ? this.producers.check(producer) : undefined;
      if (written !== undefined) {
        firstOffset ??= written;
        continue;
      }
      const bytes = Buffer.from(view.bytes); // own copy: the request buffer is reused
      setBaseOffset(bytes, this.nextOffset);
      writeSync(this.fd, bytes);
      this.batches.push({ baseOffset: this.nextOffset, lastOffset: this.nextOffset + view.lastOffsetDelta, bytes });
      if (producer) this.producers.record(producer, this.nextOffset);
      firstOffset ??= this.nextOffset;
      this.nextOffset += view.lastOffsetDelta + 1;
      this.dirty = true;
    }
    return firstOffset ?? this.nextOffset;
  }

  /** Makes every append so far durable. Called once per produce request, after all its appends. */
  sync(): void {
    if (this.dirty) {
      fdatasyncSync(this.fd);
      this.dirty = false;
    }
  }

  /** Whole batches holding offsets from `offset` on, up to about maxBytes (always at least one). */
  read(offset: number, maxBytes: number): Buffer[] {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.batches[mid].lastOffset < offset) lo = mid + 1;
      else hi = mid;
    }
    const out: Buffer[] = [];
    let size = 0;
    for (let i = lo; i < this.batches.length; i++) {
      const bytes = this.batches[i].bytes;
      if (out.length > 0 && size + bytes.length > maxBytes) break;
      out.push(bytes);
      size += bytes.length;
    }
    return out;
  }

  /** The first record stamped at or after `timestamp`, or undefined when none is. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | undefined {
    for (const batch of this.batches) {
      const found = offsetAtOrAfter(batch.bytes, timestamp);
      if (found) return found;
    }
    return undefined;
  }

  get logStartOffset(): number {
    return this.batches[0]?.baseOffset ?? this.nextOffset;
  }

  close(): void {
    this.sync();
    closeSync(this.fd);
  }
}
