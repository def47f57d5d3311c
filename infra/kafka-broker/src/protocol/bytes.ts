/**
 * Big-endian readers and writers for Kafka's classic (non-flexible) wire types. The broker only
 * advertises non-flexible API versions, so compact/tagged encodings are never needed.
 */
export class ProtocolError extends Error {}

export class ByteReader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}

  private need(n: number): void {
    if (this.offset + n > this.buffer.length) throw new ProtocolError(`truncated request: needed ${n} bytes at offset ${this.offset} of ${this.buffer.length}`);
  }
  int8(): number { this.need(1); return this.buffer.readInt8(this.offset++); }
  int16(): number { this.need(2); const v = this.buffer.readInt16BE(this.offset); this.offset += 2; return v; }
  int32(): number { this.need(4); const v = this.buffer.readInt32BE(this.offset); this.offset += 4; return v; }
  int64(): bigint { this.need(8); const v = this.buffer.readBigInt64BE(this.offset); this.offset += 8; return v; }
  bool(): boolean { return this.int8() !== 0; }
  nullableString(): string | null {
    const length = this.int16();
    if (length < 0) return null;
    this.need(length);
    const v = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return v;
  }
  string(): string { return this.nullableString() ?? ''; }
  nullableBytes(): Buffer | null {
    const length = this.int32();
    if (length < 0) return null;
    this.need(length);
    const v = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return v;
  }
  bytes(): Buffer { return this.nullableBytes() ?? Buffer.alloc(0); }
  array<T>(read: (r: ByteReader) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this));
    return out;
  }
  nullableArray<T>(read: (r: ByteReader) => T): T[] | null {
    const n = this.int32();
    if (n < 0) return null;
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(read(this));
    return out;
  }
}

export class ByteWriter {
  private chunks: Buffer[] = [];
  private length = 0;

  private push(b: Buffer): this { this.chunks.push(b); this.length += b.length; return this; }
  int8(v: number): this { const b = Buffer.allocUnsafe(1); b.writeInt8(v); return this.push(b); }
  int16(v: number): this { const b = Buffer.allocUnsafe(2); b.writeInt16BE(v); return this.push(b); }
  int32(v: number): this { const b = Buffer.allocUnsafe(4); b.writeInt32BE(v); return this.push(b); }
  int64(v: bigint | number): this { const b = Buffer.allocUnsafe(8); b.writeBigInt64BE(BigInt(v)); return this.push(b); }
  bool(v: boolean): this { return this.int8(v ? 1 : 0); }
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const b = Buffer.from(v, 'utf8');
    return this.int16(b.length).push(b);
  }
  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    return this.int32(v.length).push(v);
  }
  /** Several buffers sent as one `bytes` field, without concatenating them first. */
  bytesOf(parts: Buffer[]): this {
    this.int32(parts.reduce((n, p) => n + p.length, 0));
    for (const p of parts) this.push(p);
    return this;
  }
  array<T>(items: T[], write: (w: ByteWriter, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }
  toBuffer(): Buffer { return Buffer.concat(this.chunks, this.length); }
}
