import { describe, expect, it } from 'vitest';
import { ARCA_METRICS, exportedSeries, observeGauge, openTelemetryPrometheusText } from './metrics';

describe('OpenTelemetry metrics for Prometheus', () => {
  it('names the series Prometheus sees: counters with _total, histograms as buckets, sums and counts', () => {
    expect(exportedSeries(ARCA_METRICS.jobs)).toEqual(['arca_jobs_total']);
    expect(exportedSeries(ARCA_METRICS.jobDuration)).toEqual(['arca_job_duration_seconds_bucket', 'arca_job_duration_seconds_sum', 'arca_job_duration_seconds_count']);
    expect(exportedSeries(ARCA_METRICS.consumerLag)).toEqual(['arca_consumer_lag_messages']);
  });

  it('leaves out a gauge whose callback fails or does not answer in time, says why, and reports the others', async () => {
    const stops = [
      observeGauge('replicationPending', () => new Promise<void>(() => undefined), { timeoutMs: 50 }),
      observeGauge('replicationOldestPending', () => { throw new Error('database away'); }),
      observeGauge('outboxPending', (observe) => observe(7)),
    ];
    try {
      const errors: string[] = [];
      const started = Date.now();
      const page = await openTelemetryPrometheusText((error) => errors.push(String(error)));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(page).toMatch(/^arca_outbox_pending_events 7$/m);
      expect(page).not.toMatch(/^arca_replication_pending_snapshots /m);
      expect(page).not.toMatch(/^arca_replication_oldest_pending_seconds /m);
      expect(errors.join('\n')).toContain('arca_replication_pending_snapshots: no answer within 50 ms');
      expect(errors.join('\n')).toContain('database away');
    } finally {
      stops.forEach((stop) => stop());
    }
  });
});
