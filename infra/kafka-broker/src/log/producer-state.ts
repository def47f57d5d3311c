import { ErrorCode } from '../protocol/errors';
import { ProducerHeader } from './record-batches';

/** A batch an idempotent producer may not write: out of order, or from an epoch that was fenced. */
export class SequenceError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

interface WrittenBatch {
  firstSequence: number;
  lastSequence: number;
  baseOffset: number;
}

/** How many of a producer's latest batches a retry is recognised against (Kafka keeps five). */
const REMEMBERED_BATCHES = 5;
const MAX_SEQUENCE = 2 ** 31 - 1;

/**
 * The idempotent producers of one partition: each one's epoch and latest batches, so that a batch
 * the producer retries (its answer was lost) is acknowledged with the offset it already has
 * instead of being written twice, as Kafka does.
 */
export class ProducerStates {
  private readonly producers = new Map<bigint, { epoch: number; batches: WrittenBatch[] }>();

  /** The offset the batch already has when it is a retry, undefined when it is new; throws SequenceError when it may not be written. */
  check(header: ProducerHeader): number | undefined {
    const state = this.producers.get(header.producerId);
    if (!state || header.epoch > state.epoch) return undefined; // a new producer, or a new epoch: sequences start over
    if (header.epoch < state.epoch) {
      throw new SequenceError(ErrorCode.INVALID_PRODUCER_EPOCH, `producer ${header.producerId} epoch ${header.epoch} is older than its current epoch ${state.epoch}`);
    }
    const retried = state.batches.find((b) => b.firstSequence === header.firstSequence && b.lastSequence === header.lastSequence);
    if (retried) return retried.baseOffset;
    const last = state.batches[state.batches.length - 1].lastSequence;
    const expected = last === MAX_SEQUENCE ? 0 : last + 1;
    if (header.firstSequence !== expected) {
      throw new SequenceError(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, `producer ${header.producerId} sent sequence ${header.firstSequence}, expected ${expected}`);
    }
    return undefined;
  }

  /** Remembers a batch written at `baseOffset`. */
  record(header: ProducerHeader, baseOffset: number): void {
    let state = this.producers.get(header.producerId);
    if (!state || header.epoch !== state.epoch) {
      state = { epoch: header.epoch, batches: [] };
      this.producers.set(header.producerId, state);
    }
    state.batches.push({ firstSequence: header.firstSequence, lastSequence: header.lastSequence, baseOffset });
    if (state.batches.length > REMEMBERED_BATCHES) state.batches.shift();
  }
}
