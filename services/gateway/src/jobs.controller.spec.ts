import { HttpException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { JobsController } from './jobs.controller';
import type { ServiceClient } from './service-client';

const ID = '0b6c2f4e-3c1a-4d2b-9f00-1a2b3c4d5e6f';
const notFound = () => Promise.reject(new HttpException({ statusCode: 404, message: 'job not found' }, 404));

/** The controller over stand-in services: each answers GET by path, or rejects as the real client does. */
function controller(answers: { reporting?: () => Promise<unknown>; scheduler?: () => Promise<unknown> }) {
  const calls: string[] = [];
  const client = {
    get: (service: 'reporting' | 'scheduler', path: string) => {
      calls.push(`${service} ${path}`);
      return (answers[service] ?? notFound)();
    },
  } as unknown as ServiceClient;
  return { jobs: new JobsController(client), calls };
}

const CALLER = { actor: 'key:test', tenant: 'default' };
const scheduled = { id: ID, policyId: 'p', source: { kind: 'directory' }, status: 'pending', requestedAt: '2026-05-01T00:00:00Z', attempt: 2, retryOf: 'first', attempts: [{ id: 'first', attempt: 1 }, { id: ID, attempt: 2 }] };

describe('GET /jobs/:id', () => {
  it("adds a backup's attempts from the scheduler to reporting's view", async () => {
    const { jobs } = controller({ reporting: async () => ({ jobId: ID, kind: 'backup', status: 'failed' }), scheduler: async () => scheduled });
    expect(await jobs.get(ID, CALLER)).toEqual({ jobId: ID, kind: 'backup', status: 'failed', attempt: 2, retryOf: 'first', attempts: scheduled.attempts });
  });

  it("answers with the scheduler's record (its status, e.g. a pending retry) before reporting has heard of the job", async () => {
    const { jobs } = controller({ scheduler: async () => scheduled });
    expect(await jobs.get(ID, CALLER)).toMatchObject({ jobId: ID, kind: 'backup', status: 'pending', attempt: 2, attempts: scheduled.attempts });
  });

  it('leaves restores and checks to reporting, and an upload the scheduler never saw as reporting has it', async () => {
    const restore = controller({ reporting: async () => ({ jobId: ID, kind: 'restore', status: 'completed' }) });
    expect(await restore.jobs.get(ID, CALLER)).toEqual({ jobId: ID, kind: 'restore', status: 'completed' });
    expect(restore.calls).toEqual([`reporting /jobs/${ID}`]);
    const upload = controller({ reporting: async () => ({ jobId: ID, kind: 'backup', status: 'completed' }) });
    expect(await upload.jobs.get(ID, CALLER)).toEqual({ jobId: ID, kind: 'backup', status: 'completed' });
  });

  it('is 404 when neither knows the job', async () => {
    await expect(controller({}).jobs.get(ID, CALLER)).rejects.toMatchObject({ status: 404 });
  });
});
