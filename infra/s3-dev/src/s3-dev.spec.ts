import { Client } from 'minio';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { S3RVER_CREDENTIALS, startS3rver } from './index';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'arca-s3-dev-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function client(port: number, host = '127.0.0.1'): Client {
  return new Client({ endPoint: host, port, useSSL: false, pathStyle: true, region: 'us-east-1', ...S3RVER_CREDENTIALS });
}

describe('startS3rver', () => {
  it('serves S3 on an ephemeral loopback port with the configured buckets, and keeps objects across restarts', async () => {
    const first = await startS3rver({ port: 0, dataDir, buckets: ['arca', 'arca-replica'] });
    expect(first.endpoint).toBe(`http://127.0.0.1:${first.port}`);
    expect(first.port).toBeGreaterThan(0);
    const s3 = client(first.port);
    expect((await s3.listBuckets()).map((b) => b.name).sort()).toEqual(['arca', 'arca-replica']);
    await s3.putObject('arca', 'a/b', Buffer.from('kept'), 4);
    await first.close();

    const second = await startS3rver({ port: 0, dataDir });
    const chunks: Buffer[] = [];
    for await (const chunk of await client(second.port).getObject('arca', 'a/b')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('kept');
    await second.close();
  });

  it('addresses buckets by path even under a host name', async () => {
    const s3 = await startS3rver({ port: 0, dataDir, buckets: ['named'] });
    try {
      // "localhost" is exempt from virtual hosts in s3rver; any other name must work path-style too.
      const viaName = new Client({ endPoint: '127.0.0.1', port: s3.port, useSSL: false, pathStyle: true, region: 'us-east-1', ...S3RVER_CREDENTIALS });
      (viaName as unknown as { reqOptions: Record<string, unknown> }).reqOptions = { headers: { host: `s3-dev:${s3.port}` } };
      expect(await viaName.bucketExists('named')).toBe(true);
    } finally {
      await s3.close();
    }
  });

  it('explains a port already in use', async () => {
    const s3 = await startS3rver({ port: 0, dataDir });
    try {
      await expect(startS3rver({ port: s3.port, dataDir })).rejects.toThrow(`cannot start s3rver on 127.0.0.1:${s3.port}`);
      await expect(startS3rver({ port: s3.port, dataDir })).rejects.toThrow(/port in use/);
    } finally {
      await s3.close();
    }
  });
});
