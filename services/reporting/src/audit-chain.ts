import { createHash } from 'node:crypto';

/** The previous hash of the first entry. */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry's hash covers: everything it records, its place in the chain, and the entry before it. */
export interface ChainedEntry {
  seq: number;
  eventId: string;
  time: Date;
  actor: string;
  action: string;
  target: string;
  details: Record<string, unknown>;
  principal: Record<string, unknown> | null;
  requestId: string | null;
  traceId: string | null;
  prevHash: string;
}

/** JSON with object keys sorted at every depth: Postgres' jsonb does not keep key order. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical((value as Record<string, unknown>)[key])]));
  }
  return value;
}

/** SHA-256 (hex) over the entry's fields in a fixed order, previous hash included: editing any entry breaks every hash after it. */
export function entryHash(entry: ChainedEntry): string {
  const fields = [
    entry.prevHash, entry.seq, entry.eventId, entry.time.toISOString(), entry.actor, entry.action, entry.target,
    canonical(entry.details ?? {}), canonical(entry.principal ?? null), entry.requestId ?? null, entry.traceId ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export type ChainBreak = { seq: number; eventId: string; reason: string };

/**
 * Checks entries (in seq order, continuing from `previous`) against the chain: consecutive seq,
 * each prevHash the hash before it, each hash its own content's. Returns the first break.
 */
export function firstBreak(entries: Array<ChainedEntry & { hash: string }>, previous: { seq: number; hash: string }): ChainBreak | undefined {
  let last = previous;
  for (const entry of entries) {
    const at = { seq: entry.seq, eventId: entry.eventId };
    if (entry.seq !== last.seq + 1) return { ...at, reason: `expected entry ${last.seq + 1} next, found ${entry.seq}: entries were removed` };
    if (entry.prevHash !== last.hash) return { ...at, reason: `its previous hash is not the hash of entry ${last.seq}: the chain was rewritten here` };
    if (entryHash(entry) !== entry.hash) return { ...at, reason: 'its content does not match its hash: the entry was edited' };
    last = { seq: entry.seq, hash: entry.hash };
  }
  return undefined;
}
