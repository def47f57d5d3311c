import { describe, expect, it } from 'vitest';
import { decodeRaw, dirnameOf, encodeRaw, joinName, needsRawName, rawSegments, readableName } from './raw-path';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

describe('raw names', () => {
  it('keeps UTF-8 names as they are and writes other bytes as \\xHH', () => {
    expect(readableName(Buffer.from('ünïcødé 😀.txt'))).toBe('ünïcødé 😀.txt');
    expect(readableName(latin1('caf\xe9.txt'))).toBe('caf\\xE9.txt');
    // valid sequences around invalid bytes survive; truncated, overlong and surrogate forms do not
    expect(readableName(Buffer.concat([Buffer.from('é'), Buffer.from([0xff]), Buffer.from('日')]))).toBe('é\\xFF日');
    expect(readableName(Buffer.from([0xe6, 0x97]))).toBe('\\xE6\\x97');
    expect(readableName(Buffer.from([0xc0, 0xaf]))).toBe('\\xC0\\xAF');
    expect(readableName(Buffer.from([0xed, 0xa0, 0x80]))).toBe('\\xED\\xA0\\x80');
  });

  it('says which names need their bytes kept, and keeps them exactly', () => {
    expect(needsRawName(Buffer.from('plain'))).toBe(false);
    expect(needsRawName(latin1('\xe9'))).toBe(true);
    const bytes = latin1('/caf\xe9/\x01\xff');
    expect(decodeRaw(encodeRaw(bytes))).toEqual(bytes);
  });

  it('splits and joins raw paths at "/" like strings', () => {
    expect(rawSegments(latin1('/a/\xe9')).map((s) => s.toString('latin1'))).toEqual(['', 'a', '\xe9']);
    expect(joinName('/src', Buffer.from('a'))).toBe('/src/a');
    expect(joinName('/src', latin1('\xe9'))).toEqual(latin1('/src/\xe9'));
    expect(joinName('/', latin1('\xe9'))).toEqual(latin1('/\xe9'));
    expect(joinName(latin1('/\xe9'), Buffer.from('b'))).toEqual(latin1('/\xe9/b'));
    expect(dirnameOf(latin1('/\xe9/b'))).toEqual(latin1('/\xe9'));
    expect(dirnameOf(latin1('/\xe9'))).toEqual(Buffer.from('/'));
    expect(dirnameOf('/a/b')).toBe('/a');
  });
});
