/** Bytes crossing between threads: what arrives is a Uint8Array, what may be transferred must own its memory. */

/** A Buffer over the same memory (no copy): structured clone delivers Buffers as plain Uint8Arrays. */
export function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A buffer that may be transferred: the whole of its own ArrayBuffer, else a copy that is. */
export function transferable(buffer: Uint8Array): Uint8Array {
  if (buffer.byteOffset === 0 && buffer.byteLength === buffer.buffer.byteLength && buffer.buffer instanceof ArrayBuffer) return buffer;
  const copy = new Uint8Array(buffer.byteLength);
  copy.set(buffer);
  return copy;
}
