import { describe, expect, it } from 'vitest';
import { policySecretRef, redactedSource, runnableSourceProblem, sourceProblem, splitSourceSecret } from './source';

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

describe('splitSourceSecret', () => {
  it('takes the password out of the authority or a parameter, keeping the rest of the URL', () => {
    expect(splitSourceSecret({ kind: 'postgres', connection: 'postgres://app:s3%40cret@db:5432/shop' })).toEqual({ source: { kind: 'postgres', connection: 'postgres://app@db:5432/shop' }, password: 's3@cret' });
    expect(splitSourceSecret({ kind: 'postgres', connection: 'postgres://db/shop?user=app&password=s3cret' })).toEqual({ source: { kind: 'postgres', connection: 'postgres://db/shop?user=app' }, password: 's3cret' });
    const plain = { kind: 'postgres' as const, connection: 'postgres://app@db/shop' };
    expect(splitSourceSecret(plain)).toEqual({ source: plain });
    const dir = { kind: 'directory' as const, path: '/data' };
    expect(splitSourceSecret(dir)).toEqual({ source: dir });
  });

  it('shows a password held elsewhere as "***", where the URL would carry it', () => {
    const secretRef = policySecretRef('7f1c2a9e-8a7b-4c1d-9e2f-0a1b2c3d4e5f');
    expect(redactedSource({ kind: 'postgres', connection: 'postgres://app@db/shop', secretRef })).toEqual({ kind: 'postgres', connection: 'postgres://app:***@db/shop' });
    expect(redactedSource({ kind: 'postgres', connection: 'postgres://db/shop?user=app', secretRef }).connection).toBe('postgres://db/shop?user=app&password=***');
  });

  it('is refused from callers: only the platform sets a secretRef', () => {
    expect(sourceProblem({ kind: 'postgres', connection: 'postgres://app@db/shop', secretRef: policySecretRef('7f1c2a9e-8a7b-4c1d-9e2f-0a1b2c3d4e5f') })).toMatch(/source\.secretRef is set by the platform/);
  });
});
