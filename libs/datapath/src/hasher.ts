import { createHmac } from 'node:crypto';

/** Chunk ids are 32 bytes; this is their hex form's length. */
export const CHUNK_ID_HEX_LENGTH = 64;

/**
 * The chunk id: HMAC-SHA-256 of the plaintext under the repository's id key. Without the key, an
 * id says nothing about the content (no confirming "does this repository hold file X?").
 */
export function chunkId(idKey: Buffer, data: Uint8Array): Buffer {
  return createHmac('sha256', idKey).update(data).digest();
}
