import { seededRandom } from '@arca/fault-proxy';
import { createHash } from 'node:crypto';

/**
 * The chaos suite's randomness, all from one seed: the moment a fault strikes, which requests a
 * share-based fault hits, the dataset's bytes. The seed is printed; `CHAOS_SEED=<seed>` replays it.
 */
export class ChaosRng {
  private readonly next: () => number;

  constructor(readonly seed: number, readonly label: string) {
    this.next = seededRandom(seed);
  }

  /** The seed for a case: CHAOS_SEED when set (a replay), else a fresh one; printed either way. */
  static forCase(label: string, fixed?: number): ChaosRng {
    const given = process.env.CHAOS_SEED;
    const seed = fixed ?? (given ? Number(given) : Math.floor(Math.random() * 2 ** 31));
    if (!Number.isSafeInteger(seed)) throw new Error(`CHAOS_SEED must be a whole number, not ${given}`);
    process.stdout.write(`[chaos] ${label}: seed ${seed} (replay with CHAOS_SEED=${seed})\n`);
    return new ChaosRng(seed, label);
  }

  random(): number {
    return this.next();
  }

  /** A number in [min, max). */
  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** An independent generator for one purpose (so adding draws elsewhere does not shift it). */
  fork(purpose: string): () => number {
    return seededRandom(createHash('sha256').update(`${this.seed}:${purpose}`).digest().readUInt32BE(0));
  }

  /** A string seed for the dataset generator. */
  dataSeed(): string {
    return `chaos-${this.seed}`;
  }
}
