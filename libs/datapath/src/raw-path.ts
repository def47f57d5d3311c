import { isUtf8 } from 'node:buffer';
import path from 'node:path';

/**
 * File names as the filesystem has them. Linux allows any bytes but "/" and NUL in a name, so a
 * name need not be UTF-8 (a Latin-1 "é" is the single byte 0xE9). A snapshot keeps such a path
 * twice: `path`, readable (valid UTF-8 kept, every other byte written `\xHH`), for listing and
 * choosing, and `rawPath`, the exact bytes in base64, for restoring.
 */

const SLASH = 0x2f;

/** Bytes of a UTF-8 sequence by its lead byte (0 for a byte that cannot start one). */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** A name's readable form: valid UTF-8 as is, each other byte as `\xHH` (upper-case hex). */
export function readableName(name: Buffer): string {
  if (isUtf8(name)) return name.toString('utf8');
  let out = '';
  let i = 0;
  while (i < name.length) {
    const n = sequenceLength(name[i]);
    if (n > 0 && i + n <= name.length && isUtf8(name.subarray(i, i + n))) {
      out += name.toString('utf8', i, i + n);
      i += n;
    } else {
      out += `\\x${name[i].toString(16).toUpperCase().padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** Whether a name needs its raw bytes kept (it is not valid UTF-8). */
export function needsRawName(name: Buffer): boolean {
  return !isUtf8(name);
}

export function encodeRaw(bytes: Buffer): string {
  return bytes.toString('base64');
}

export function decodeRaw(base64: string): Buffer {
  return Buffer.from(base64, 'base64');
}

/** Splits raw path bytes at "/" (the leading "/" gives an empty first segment, like String#split). */
export function rawSegments(bytes: Buffer): Buffer[] {
  const segments: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= bytes.length; i++) {
    if (i === bytes.length || bytes[i] === SLASH) {
      segments.push(bytes.subarray(start, i));
      start = i + 1;
    }
  }
  return segments;
}

/** The directory part of a path given as a string or as bytes (Node's fs takes both). */
export function dirnameOf(file: string | Buffer): string | Buffer {
  if (typeof file === 'string') return path.dirname(file);
  const at = file.lastIndexOf(SLASH);
  return file.subarray(0, Math.max(1, at));
}

/** `parent/name` as a string when both are UTF-8, else as bytes. */
export function joinName(parent: string | Buffer, name: Buffer): string | Buffer {
  if (typeof parent === 'string' && !needsRawName(name)) return path.join(parent, name.toString('utf8'));
  const base = typeof parent === 'string' ? Buffer.from(parent) : parent;
  return base[base.length - 1] === SLASH ? Buffer.concat([base, name]) : Buffer.concat([base, Buffer.from('/'), name]);
}
