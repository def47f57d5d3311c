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
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** null when absent. */
  stat(key: string): Promise<{ size: number } | null>;
  list(prefix: string): AsyncIterable<{ key: string; size: number }>;
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
