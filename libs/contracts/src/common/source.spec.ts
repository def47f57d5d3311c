import { describe, expect, it } from 'vitest';
import { redactedSource, runnableSourceProblem, sourceProblem } from './source';

describe('sources the platform runs by itself (policies, POST /jobs)', () => {
  it('refuse a stream, whose bytes only the client has, pointing at the upload', () => {
    expect(sourceProblem({ kind: 'stream', name: 'x' })).toBeUndefined();
    expect(runnableSourceProblem({ kind: 'stream', name: 'x' })).toMatch(/source\.kind "stream" cannot be run by the platform: upload the bytes with POST \/streams/);
  });

  it('otherwise name what is missing, as sourceProblem does', () => {
    expect(runnableSourceProblem({ kind: 'directory' })).toBe('source.path is required for a directory source');
    expect(runnableSourceProblem({ kind: 'directory', path: '/data' })).toBeUndefined();
    expect(runnableSourceProblem({ kind: 'postgres', connection: 'postgres://db/x' })).toBeUndefined();
  });
});

describe('redactedSource', () => {
  it("masks a postgres URL's password, in the authority or as a parameter, and nothing else", () => {
    expect(redactedSource({ kind: 'postgres', connection: 'postgres://app:s3cret@db:5432/shop' })).toEqual({ kind: 'postgres', connection: 'postgres://app:***@db:5432/shop' });
    expect(redactedSource({ kind: 'postgres', connection: 'postgres://db/shop?user=app&password=s3cret' }).connection).toBe('postgres://db/shop?user=app&password=***');
    const plain = { kind: 'postgres' as const, connection: 'postgres://app@db/shop' };
    expect(redactedSource(plain)).toBe(plain);
    expect(redactedSource({ kind: 'postgres', connection: 'not a url s3cret' }).connection).toBe('(unparsable URL)');
    const dir = { kind: 'directory' as const, path: '/data' };
    expect(redactedSource(dir)).toBe(dir);
  });
});
