import { createEvent } from '@arca/contracts';
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cloudEventHeaders } from './cloud-events';

describe('cloudEventHeaders', () => {
  it("makes a job's event the job's subject, and names service, type, schema and tenant", () => {
    const jobId = randomUUID();
    const event = createEvent('backup.failed', { jobId, reason: 'gone', stage: 'read' }, { jobId, tenant: 'acme' });
    expect(cloudEventHeaders(event, { service: 'ingest', key: jobId })).toEqual({
      ce_specversion: '1.0', ce_id: event.eventId, ce_source: '/arca/ingest', ce_type: 'io.arca.backup.failed', ce_time: event.occurredAt,
      ce_subject: jobId, ce_dataschema: 'urn:arca:event:backup.failed:v1', ce_tenant: 'acme', 'content-type': 'application/json',
    });
  });

  it('falls back to the message key for the subject, to /arca for the source and to default for the tenant', () => {
    const snapshotId = 'a'.repeat(64);
    const event = createEvent('snapshot.forgotten', { snapshotId } as never);
    const headers = cloudEventHeaders(event, { key: snapshotId });
    expect(headers).toMatchObject({ ce_subject: snapshotId, ce_source: '/arca', ce_tenant: 'default' });
    expect(cloudEventHeaders(event, {})).not.toHaveProperty('ce_subject');
  });
});
