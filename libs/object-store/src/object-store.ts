/** Where a key's object does not exist. */
export class ObjectNotFoundError extends Error {
  constructor(readonly key: string, where: string) {
    super(`object "${key}" not found in ${where}`);
    this.name = 'ObjectNotFoundError';
  }
}

/**
 * S3 object lock (WORM) modes. Compliance: nobody, not even the bucket's owner, can delete or
 * overwrite the object before its date. Governance: the same, except for a caller that asks
 * explicitly to bypass it (an administrator's escape hatch).
 */
export type ObjectLockMode = 'compliance' | 'governance';

export interface ObjectLock {
  mode: ObjectLockMode;
  retainUntil: Date;
}

export interface PutOptions {
  /** Written with the object in the same request, so no object of a locked backup is ever unprotected. */
  lock?: ObjectLock;
}

export interface DeleteOptions {
  /** Lets a governance-mode lock be overridden; a compliance-mode lock never is. */
  bypassGovernance?: boolean;
}

/**
 * A delete (or, in the filesystem store, an overwrite with other bytes) refused because the object
 * is locked. Prune catches it to keep the object and report it as "kept by object lock until …".
 */
export class ObjectLockedError extends Error {
  constructor(readonly key: string, readonly retainUntil: Date, readonly mode: ObjectLockMode, where: string) {
    super(`object "${key}" in ${where} is under ${mode} object lock until ${retainUntil.toISOString()}; it cannot be deleted or replaced before then`);
    this.name = 'ObjectLockedError';
  }
}

/** A locked write to a store that cannot keep the lock: refused rather than stored unprotected. */
export class ObjectLockUnsupportedError extends Error {
  constructor(where: string, reason: string) {
    super(`${where} does not support object lock (${reason}); a backup that asks for object lock cannot be stored there`);
    this.name = 'ObjectLockUnsupportedError';
  }
}

/**
 * The one interface Arca stores bytes through: packs, manifests, key files. Writes are atomic:
 * a reader sees the whole object or none of it.
 */
export interface ObjectStore {
  /** A lock date must lie in the future; a store that cannot lock refuses a locked put with ObjectLockUnsupportedError. */
  put(key: string, body: Buffer, options?: PutOptions): Promise<void>;
  get(key: string): Promise<Buffer>;
  /** Up to `length` bytes from `offset`; shorter (possibly empty) at the end of the object. */
  getRange(key: string, offset: number, length: number): Promise<Buffer>;
  /** null when absent. */
  stat(key: string): Promise<{ size: number } | null>;
  list(prefix: string): AsyncIterable<{ key: string; size: number }>;
  /**
   * Deleting an absent key is not an error (retries and replays stay idempotent). An object whose
   * lock has not expired is not deleted: ObjectLockedError (governance mode yields to
   * `bypassGovernance`).
   */
  delete(key: string, options?: DeleteOptions): Promise<void>;
  /**
   * The date the object's lock holds it until, as recorded (it may have passed); null when the
   * object is absent or was never locked. Compare with `deletableNow`.
   */
  lockedUntil(key: string): Promise<Date | null>;
  /** Whether locked puts are kept: the filesystem store always, an S3 bucket only if created with object lock. */
  supportsObjectLock(): Promise<boolean>;
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

/** Locks are for the future: a date that has passed (or an invalid one) is a caller's bug, not a lock. */
export function assertValidLock(key: string, lock: ObjectLock, now: Date): void {
  if (lock.mode !== 'compliance' && lock.mode !== 'governance') throw new Error(`object "${key}": object lock mode must be "compliance" or "governance", got "${String(lock.mode)}"`);
  if (!(lock.retainUntil instanceof Date) || Number.isNaN(lock.retainUntil.getTime()) || lock.retainUntil.getTime() <= now.getTime()) {
    throw new Error(`object "${key}": object lock retain-until date must lie in the future, got ${String(lock.retainUntil)}`);
  }
}

/**
 * For prune: whether `key` may be deleted at `now`, and if not, until when it is kept. Absent and
 * never-locked objects are deletable. Asking first saves a refused delete; a delete still throws
 * ObjectLockedError if a lock appears in between (or if the store's clock disagrees with `now`).
 */
export async function deletableNow(store: ObjectStore, key: string, now: Date): Promise<{ deletable: true } | { deletable: false; retainUntil: Date }> {
  const until = await store.lockedUntil(key);
  return until && until.getTime() > now.getTime() ? { deletable: false, retainUntil: until } : { deletable: true };
}
