/** Where a key's object does not exist. */
export class ObjectNotFoundError extends Error {
  constructor(readonly key: string, where: string) {
    super(`object "${key}" not found in ${where}`);
    this.name = 'ObjectNotFoundError';
  }
}

/**
 * The one interface Arca stores bytes through: packs, manifests, key files. Writes are atomic:
 * a reader sees the whole object or none of it.
 */
export interface ObjectStore {
  put(key: string, body: Buffer): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Up to `length` bytes from `offset`; shorter (possibly empty) at the end of the object. */
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** null when absent. */
  stat(key: string): Promise<{ size: number } | null>;
  list(prefix: string): AsyncIterable<{ key: string; size: number }>;
  /** Deleting an absent key is not an error (retries and replays stay idempotent). */
  delete(key: string): Promise<void>;
  /** Resolves when the store answers (for /health). */
  ping(): Promise<void>;
  /** Where the store is, for logs and errors (no secrets). */
  describe(): string;
}

const KEY = /^[A-Za-z0-9!_.*'()-][A-Za-z0-9!_.*'()/-]*$/;

/** Keys are relative, slash-separated, without `..` segments, so no driver can be led outside its root. */
export function assertValidKey(key: string): void {
  if (!KEY.test(key) || key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    throw new Error(`invalid object key "${key}" (expected relative segments of letters, digits and !_.*'()- separated by /)`);
  }
}

/** Offsets and lengths are byte counts; a fraction or a negative number is a caller's bug, caught before any I/O. */
export function assertValidRange(key: string, offset: number, length: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new RangeError(`invalid range of object "${key}": offset ${offset}, length ${length} (expected non-negative integers)`);
  }
}
