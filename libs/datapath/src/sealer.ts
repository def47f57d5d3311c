import { CipherGCM, createCipheriv, createDecipheriv, DecipherGCM, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { chunkId } from './hasher';
import { Cipher, DEFAULT_CIPHER, generationKey, MasterKey } from './keys';
import { secretKey } from './secret-keys';

const zstdCompress = promisify(zlib.zstdCompress);
const zstdDecompress = promisify(zlib.zstdDecompress);

/**
 * The first byte of every sealed blob names its format, which is its cipher and whether a key
 * generation follows: 1 AES-256-GCM (the format before ciphers were selectable), 2
 * ChaCha20-Poly1305, both under key generation 1 (the key the slots wrap); 3 and 4 the same
 * ciphers with a uint16 key generation (2 and up, after `arca keys rotate`) after the flags.
 * Generation 1 keeps writing formats 1 and 2, so a repository never rotated stays byte for byte
 * what older versions wrote and read. Both ciphers take a 96-bit nonce and a 128-bit tag.
 */
const FORMAT_OF: Record<Cipher, number> = { 'aes-256-gcm': 1, 'chacha20-poly1305': 2 };
const GENERATION_FORMAT_OF: Record<Cipher, number> = { 'aes-256-gcm': 3, 'chacha20-poly1305': 4 };
const CIPHER_OF: Record<number, Cipher | undefined> = { 1: 'aes-256-gcm', 2: 'chacha20-poly1305', 3: 'aes-256-gcm', 4: 'chacha20-poly1305' };
const FLAG_ZSTD = 1;
const HEADER = 2; // format (cipher), flags
const GENERATION_HEADER = 4; // format, flags, uint16 generation
const NONCE = 12;
const TAG = 16;
/** Sealed bytes beyond the (possibly compressed) payload, under key generation 1 (two more after a rotation). */
export const SEAL_OVERHEAD = HEADER + NONCE + TAG;

/** The header of a blob sealed with `cipher` under `generation`: format, flags and (generation 2 and up) the generation. */
function sealHeader(cipher: Cipher, generation: number, compressed: boolean): Buffer {
  if (generation === 1) return Buffer.from([FORMAT_OF[cipher], compressed ? FLAG_ZSTD : 0]);
  const head = Buffer.from([GENERATION_FORMAT_OF[cipher], compressed ? FLAG_ZSTD : 0, 0, 0]);
  head.writeUInt16BE(generation, 2);
  return head;
}

/** A sealed blob's header read: cipher, key generation and where the nonce starts; undefined for an unknown format or a short blob. */
export function sealedHeader(sealed: Buffer): { cipher: Cipher; generation: number; flags: number; headerLength: number } | undefined {
  const cipher = CIPHER_OF[sealed[0]];
  if (!cipher) return undefined;
  const headerLength = sealed[0] >= 3 ? GENERATION_HEADER : HEADER;
  if (sealed.length < headerLength + NONCE + TAG) return undefined;
  const generation = headerLength === HEADER ? 1 : sealed.readUInt16BE(2);
  return { cipher, generation, flags: sealed[1], headerLength };
}

/** The key generation a sealed blob (a chunk, a pack's first bytes, a manifest) names: 1 for blobs of formats 1 and 2. */
export function sealedGeneration(sealed: Buffer): number | undefined {
  if (!CIPHER_OF[sealed[0]]) return undefined;
  return sealed[0] >= 3 ? sealed.readUInt16BE(2) : 1;
}

const SAMPLE = 64 * 1024;

/**
 * Chunks up to this size are compressed and decompressed on the calling thread: for a small file
 * the trip to libuv's pool costs more than the work, and a thousand small chunks sealed at once
 * would hold a thousand zstd contexts (about a megabyte each) in memory.
 */
const SYNC_BELOW = 64 * 1024;

/** A chunk this small is stored as it is: compression must save 64 bytes to be kept, and at this size it hardly can. */
const NEVER_SMALLER_BELOW = 256;

function encryptor(cipher: Cipher, key: Buffer, nonce: Buffer): CipherGCM {
  if (cipher === 'aes-256-gcm') return createCipheriv('aes-256-gcm', secretKey(key), nonce);
  return createCipheriv('chacha20-poly1305', secretKey(key), nonce, { authTagLength: TAG }) as unknown as CipherGCM;
}

function decryptor(cipher: Cipher, key: Buffer, nonce: Buffer): DecipherGCM {
  if (cipher === 'aes-256-gcm') return createDecipheriv('aes-256-gcm', secretKey(key), nonce);
  return createDecipheriv('chacha20-poly1305', secretKey(key), nonce, { authTagLength: TAG }) as unknown as DecipherGCM;
}

/** The cipher a sealed blob names in its first byte. */
export function sealedCipher(sealed: Buffer): Cipher | undefined {
  return CIPHER_OF[sealed[0]];
}

/**
 * Random 96-bit nonces (GCM and ChaCha20-Poly1305 alike), drawn from the system's generator 4,096 at a time: one call per
 * chunk cost more than the encryption of a small one.
 */
class NoncePool {
  private pool = Buffer.alloc(0);
  private at = 0;

  next(): Buffer {
    if (this.at + NONCE > this.pool.length) {
      this.pool = randomBytes(NONCE * 4096);
      this.at = 0;
    }
    const nonce = this.pool.subarray(this.at, this.at + NONCE);
    this.at += NONCE;
    return nonce;
  }
}

const nonces = new NoncePool();

/**
 * zlib hands its output back in chunkSize pieces (16 KiB by default) and concatenates them: for
 * megabyte chunks that is dozens of small buffers per chunk and most of the pipeline's garbage
 * collection. One piece the size of the input avoids it.
 */
function outputChunkSize(inputLength: number): number {
  return Math.max(64 * 1024, Math.min(inputLength + 1024, 16 * 1024 * 1024));
}

/**
 * Whether a chunk looks compressible, judged on a sample at zstd's fastest level: already
 * compressed or encrypted data (media, archives) then skips the full compression, which
 * would cost most of the pipeline's time for nothing.
 */
async function worthCompressing(plain: Buffer): Promise<boolean> {
  if (plain.length <= SAMPLE * 2) return true;
  const packed = await zstdCompress(samples(plain), { params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 } });
  return packed.length < SAMPLE * 0.97;
}

/**
 * SAMPLE bytes from the head, middle and tail of a chunk: a chunk that straddles a compressed
 * region and a text region (a tar of mixed files, a database dump) is still compressed.
 */
function samples(plain: Buffer): Buffer {
  const third = Math.floor(SAMPLE / 3);
  const mid = Math.floor(plain.length / 2 - third / 2);
  return Buffer.concat([plain.subarray(0, third), plain.subarray(mid, mid + third), plain.subarray(plain.length - (SAMPLE - 2 * third))], SAMPLE);
}

/**
 * zstd level 3: zstd's default, the usual balance of speed and ratio (restic's "auto" is similar).
 * Measured on 10 MiB of JavaScript/TypeScript source in 1 MiB chunks, 4 at a time on the 2-core VM
 * (loaded): level 1 388 MB/s ratio 5.00, level 3 168 MB/s ratio 5.38. Level 3 costs 2.3x the CPU
 * for ~7% less storage; callers that care more about speed pass `level: 1` (SealOptions).
 */
export const DEFAULT_ZSTD_LEVEL = 3;

export interface SealOptions {
  /** zstd level (1-19, or negative for zstd's fast modes); default 3. */
  level?: number;
}

export class CorruptChunkError extends Error {
  constructor(readonly chunkId: string, readonly reason: string, readonly packKey?: string) {
    super(`chunk ${chunkId} is damaged: ${reason}${packKey ? ` (in pack ${packKey})` : ''}`);
    this.name = 'CorruptChunkError';
  }
}

export interface SealedChunk {
  /** The sealed blob in pieces (header and nonce, ciphertext, tag): packs concatenate them once. */
  parts: Buffer[];
  length: number;
  compressed: boolean;
  /** The whole blob (copies the parts). */
  readonly sealed: Buffer;
}

/** A cipher's output without a copy: GCM's final() is empty, and concatenating would copy the whole body. */
function joined(body: Buffer, final: Buffer): Buffer {
  return final.length === 0 ? body : Buffer.concat([body, final]);
}

/**
 * Compresses (zstd, kept raw when that does not shrink it) and encrypts (the key's cipher, random
 * nonce, the chunk id as associated data so a blob cannot be swapped for another) one chunk.
 * Compression runs on libuv's thread pool, so several chunks seal in parallel across cores.
 */
export async function seal(key: MasterKey, id: Buffer, plain: Buffer, options: SealOptions = {}): Promise<SealedChunk> {
  const zstd = { chunkSize: outputChunkSize(plain.length), params: { [zlib.constants.ZSTD_c_compressionLevel]: options.level ?? DEFAULT_ZSTD_LEVEL } };
  let packed = plain;
  if (plain.length < NEVER_SMALLER_BELOW) packed = plain;
  else if (plain.length <= SYNC_BELOW) packed = zlib.zstdCompressSync(plain, zstd);
  else if (await worthCompressing(plain)) packed = await zstdCompress(plain, zstd);
  const compressed = packed.length < plain.length - 64; // not worth a decompression on restore otherwise
  const payload = compressed ? packed : plain;
  const nonce = nonces.next();
  const algorithm = key.cipher ?? DEFAULT_CIPHER;
  const cipher = encryptor(algorithm, key.encryptionKey, nonce);
  cipher.setAAD(id);
  const head = Buffer.concat([sealHeader(algorithm, key.generation ?? 1, compressed), nonce]);
  const body = joined(cipher.update(payload), cipher.final());
  const parts = [head, body, cipher.getAuthTag()];
  return { parts, length: head.length + body.length + TAG, compressed, get sealed() { return Buffer.concat(parts); } };
}

/**
 * `seal` done synchronously (zstd on the calling thread): for worker threads (seal-pool.ts), which
 * give the encryption a core of its own. Same format, same decisions.
 */
export function sealSync(encryptionKey: Buffer, id: Buffer, plain: Buffer, options: SealOptions = {}, algorithm: Cipher = DEFAULT_CIPHER, generation = 1): { sealed: Buffer; compressed: boolean } {
  let worth = plain.length <= SAMPLE * 2;
  if (!worth) worth = zlib.zstdCompressSync(samples(plain), { params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 } }).length < SAMPLE * 0.97;
  const packed = worth
    ? zlib.zstdCompressSync(plain, { chunkSize: outputChunkSize(plain.length), params: { [zlib.constants.ZSTD_c_compressionLevel]: options.level ?? DEFAULT_ZSTD_LEVEL } })
    : plain;
  const compressed = packed.length < plain.length - 64;
  const payload = compressed ? packed : plain;
  const nonce = nonces.next();
  const cipher = encryptor(algorithm, encryptionKey, nonce);
  cipher.setAAD(id);
  // one exclusively owned buffer (never a slice of Node's shared pool), so it can be transferred
  const head = sealHeader(algorithm, generation, compressed);
  const sealed = Buffer.allocUnsafeSlow(head.length + NONCE + payload.length + TAG);
  head.copy(sealed, 0);
  nonce.copy(sealed, head.length);
  const body = cipher.update(payload);
  body.copy(sealed, head.length + NONCE);
  const final = cipher.final();
  if (final.length !== 0) throw new Error(`${algorithm} produced trailing output`);
  cipher.getAuthTag().copy(sealed, head.length + NONCE + payload.length);
  return { sealed, compressed };
}

/**
 * Decrypts, decompresses and verifies a chunk against its id; any mismatch is a CorruptChunkError.
 * `otherIdKeys`: other tenants' chunk-id keys also accepted (a repository-wide check reads every tenant's packs).
 */
export async function open(key: MasterKey, id: Buffer, sealed: Buffer, otherIdKeys: readonly Buffer[] = []): Promise<Buffer> {
  const hex = id.toString('hex');
  if (sealed.length < SEAL_OVERHEAD) throw new CorruptChunkError(hex, `sealed blob is ${sealed.length} bytes, shorter than its header`);
  if (!CIPHER_OF[sealed[0]]) throw new CorruptChunkError(hex, `unknown format version ${sealed[0]}`);
  const header = sealedHeader(sealed);
  if (!header) throw new CorruptChunkError(hex, `sealed blob is ${sealed.length} bytes, shorter than its header`);
  const payload = decryptChunk(key, id, sealed, header, hex);
  let plain = payload;
  if (header.flags & FLAG_ZSTD) {
    try {
      plain = payload.length <= SYNC_BELOW / 4 ? zlib.zstdDecompressSync(payload) : await zstdDecompress(payload, { chunkSize: 1024 * 1024 });
    } catch (error) {
      throw new CorruptChunkError(hex, `zstd: ${(error as Error).message}`);
    }
  }
  if (!chunkId(key.idKey, plain).equals(id) && !otherIdKeys.some((idKey) => chunkId(idKey, plain).equals(id))) throw new CorruptChunkError(hex, 'content does not match its id');
  return plain;
}

/** A chunk's payload (as sealed: compressed or not), decrypted under the key generation its header names. */
function decryptChunk(key: MasterKey, id: Buffer, sealed: Buffer, header: NonNullable<ReturnType<typeof sealedHeader>>, hex: string): Buffer {
  const encryptionKey = generationKey(key, header.generation, `chunk ${hex}`);
  const decipher = decryptor(header.cipher, encryptionKey, sealed.subarray(header.headerLength, header.headerLength + NONCE));
  decipher.setAAD(id);
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return joined(decipher.update(sealed.subarray(header.headerLength + NONCE, sealed.length - TAG)), decipher.final());
  } catch {
    throw new CorruptChunkError(hex, `authentication failed under key generation ${header.generation} (the bytes were altered, or the repository key is not this one)`);
  }
}

/**
 * A sealed chunk sealed again under the key's current generation, its payload as it was (still
 * compressed or not): prune's repacking and `arca keys reseal` move old-generation chunks to the
 * newest key this way. The old seal's tag (bound to the chunk id) is checked on the way; the
 * chunk-id key is not needed, so any tenant's chunks reseal with the repository key. A chunk
 * already under the current generation comes back as it was.
 */
export function resealChunk(key: MasterKey, id: Buffer, sealed: Buffer): Buffer {
  const hex = id.toString('hex');
  const header = sealedHeader(sealed);
  if (!header) throw new CorruptChunkError(hex, `sealed blob of ${sealed.length} bytes has no readable header (format ${sealed[0]})`);
  const current = key.generation ?? 1;
  if (header.generation === current) return sealed;
  const payload = decryptChunk(key, id, sealed, header, hex);
  const nonce = nonces.next();
  const algorithm = key.cipher ?? DEFAULT_CIPHER;
  const cipher = encryptor(algorithm, key.encryptionKey, nonce);
  cipher.setAAD(id);
  return Buffer.concat([sealHeader(algorithm, current, (header.flags & FLAG_ZSTD) !== 0), nonce, cipher.update(payload), cipher.final(), cipher.getAuthTag()]);
}

/** Seals a small structured object (pack headers, manifests) under a purpose label, with the key's current generation. */
export async function sealObject(key: MasterKey, label: string, value: unknown): Promise<Buffer> {
  const plain = Buffer.from(JSON.stringify(value));
  const packed = await zstdCompress(plain);
  const nonce = nonces.next();
  const algorithm = key.cipher ?? DEFAULT_CIPHER;
  const cipher = encryptor(algorithm, key.encryptionKey, nonce);
  cipher.setAAD(Buffer.from(label));
  return Buffer.concat([sealHeader(algorithm, key.generation ?? 1, true), nonce, cipher.update(packed), cipher.final(), cipher.getAuthTag()]);
}

export async function openObject<T>(key: MasterKey, label: string, sealed: Buffer): Promise<T> {
  // Objects are always compressed: a flags byte that says otherwise is damage (it is not authenticated).
  const header = sealedHeader(sealed);
  if (!header || header.flags !== FLAG_ZSTD) throw new Error(`${label}: not an Arca sealed object (damaged header)`);
  const decipher = decryptor(header.cipher, generationKey(key, header.generation, label), sealed.subarray(header.headerLength, header.headerLength + NONCE));
  decipher.setAAD(Buffer.from(label));
  decipher.setAuthTag(sealed.subarray(sealed.length - TAG));
  let packed: Buffer;
  try {
    packed = Buffer.concat([decipher.update(sealed.subarray(header.headerLength + NONCE, sealed.length - TAG)), decipher.final()]);
  } catch {
    throw new Error(`${label}: authentication failed under key generation ${header.generation} (damaged, or encrypted under another repository key)`);
  }
  return JSON.parse((await zstdDecompress(packed)).toString()) as T;
}
