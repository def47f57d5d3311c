import { describe, expect, it } from 'vitest';
import { runnableSourceProblem, sourceProblem } from './source';

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
