import type { Attributes, Counter, Histogram, Meter, ObservableGauge, ObservableResult } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { AggregationType, MeterProvider } from '@opentelemetry/sdk-metrics';

type MetricKind = 'counter' | 'histogram' | 'gauge';

interface MetricSpec {
  name: string;
  kind: MetricKind;
  help: string;
  labels: readonly string[];
  /** Histograms: bucket boundaries. */
  buckets?: readonly number[];
}

const BYTES = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12];
const SECONDS = [0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 12 * 3600];

/**
 * Every OpenTelemetry metric an Arca service exports on its Prometheus `/metrics`, by the name
 * the instrument is created under. Prometheus sees counters with `_total` and histograms as
 * `_bucket`, `_sum` and `_count` (exportedSeries). The alert rules and the Grafana dashboard in
 * infra/compose may use only these and the prom-client ones (`e2e/src/compose.spec.ts` checks).
 */
export const ARCA_METRICS = {
  jobs: { name: 'arca_jobs', kind: 'counter', help: 'Jobs finished, by kind (backup, restore, check, prune) and outcome (completed, failed, cancelled)', labels: ['kind', 'outcome', 'tenant'] },
  jobDuration: { name: 'arca_job_duration_seconds', kind: 'histogram', help: 'How long finished jobs took, from request to outcome', labels: ['kind', 'outcome'], buckets: SECONDS },
  jobBytes: { name: 'arca_job_bytes', kind: 'histogram', help: 'Bytes of completed backups: read from the source, new to the repository, stored', labels: ['kind', 'measure'], buckets: BYTES },
  outboxPending: { name: 'arca_outbox_pending_events', kind: 'gauge', help: 'Events committed to the outbox and not yet acknowledged by Kafka', labels: [] },
  outboxOldest: { name: 'arca_outbox_oldest_pending_seconds', kind: 'gauge', help: 'Age of the oldest event waiting in the outbox (0 when none waits)', labels: [] },
  deadLetters: { name: 'arca_dead_letters', kind: 'counter', help: 'Messages this service sent to a dead-letter topic, by source topic and consumer group', labels: ['topic', 'group'] },
  consumerLag: { name: 'arca_consumer_lag_messages', kind: 'gauge', help: "Messages on a topic not yet committed by this service's consumer group", labels: ['topic', 'group'] },
  rpoBreached: { name: 'arca_policy_rpo_breached', kind: 'gauge', help: '1 while a policy has had no successful backup within its RPO, else 0', labels: ['policy_id', 'policy', 'tenant'] },
  rpoTarget: { name: 'arca_policy_rpo_seconds', kind: 'gauge', help: "A policy's RPO target", labels: ['policy_id', 'policy', 'tenant'] },
  lastSuccessAge: { name: 'arca_policy_last_success_age_seconds', kind: 'gauge', help: "Time since a policy's last successful backup (since it was created, when none yet)", labels: ['policy_id', 'policy', 'tenant'] },
  replicationPending: { name: 'arca_replication_pending_snapshots', kind: 'gauge', help: 'Snapshots backed up and not yet replicated to the replica site', labels: [] },
  replicationOldestPending: { name: 'arca_replication_oldest_pending_seconds', kind: 'gauge', help: 'Age of the oldest snapshot not yet replicated (0 when none)', labels: [] },
  replicationLag: { name: 'arca_replication_lag_seconds', kind: 'gauge', help: "The latest replication's lag: from the snapshot's backup to its copy at the site", labels: ['site'] },
} as const satisfies Record<string, MetricSpec>;

export type ArcaMetric = keyof typeof ARCA_METRICS;

/** The series names Prometheus scrapes for a metric. */
export function exportedSeries(spec: MetricSpec): string[] {
  if (spec.kind === 'counter') return [`${spec.name}_total`];
  if (spec.kind === 'histogram') return ['_bucket', '_sum', '_count'].map((suffix) => spec.name + suffix);
  return [spec.name];
}

let state: { exporter: PrometheusExporter; meter: Meter; instruments: Map<string, unknown> } | undefined;

function metricsState() {
  if (!state) {
    const exporter = new PrometheusExporter({ preventServerStart: true, withoutScopeInfo: true, withoutTargetInfo: true });
    const provider = new MeterProvider({
      readers: [exporter],
      views: Object.values(ARCA_METRICS).filter((m): m is typeof m & { buckets: readonly number[] } => 'buckets' in m).map((m) => ({
        instrumentName: m.name, aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [...m.buckets] } },
      })),
    });
    state = { exporter, meter: provider.getMeter('arca'), instruments: new Map() };
  }
  return state;
}

function instrument<T>(metric: ArcaMetric, create: (meter: Meter, spec: MetricSpec) => T): T {
  const { meter, instruments } = metricsState();
  if (!instruments.has(metric)) instruments.set(metric, create(meter, ARCA_METRICS[metric]));
  return instruments.get(metric) as T;
}

export function arcaCounter(metric: ArcaMetric): Counter {
  return instrument(metric, (meter, spec) => meter.createCounter(spec.name, { description: spec.help }));
}

export function arcaHistogram(metric: ArcaMetric): Histogram {
  return instrument(metric, (meter, spec) => meter.createHistogram(spec.name, { description: spec.help }));
}

/** How long a gauge's callback may take at a scrape. */
export const GAUGE_TIMEOUT_MS = 3000;

/**
 * Adds a callback that reports a gauge's values at each scrape (it may query a database); returns
 * the function that removes it, for a component's shutdown.
 */
export function observeGauge(metric: ArcaMetric, callback: (observe: (value: number, labels?: Attributes) => void) => Promise<void> | void, options: { timeoutMs?: number } = {}): () => void {
  const timeoutMs = options.timeoutMs ?? GAUGE_TIMEOUT_MS;
  const gauge = instrument<ObservableGauge>(metric, (meter, spec) => meter.createObservableGauge(spec.name, { description: spec.help }));
  // A callback that cannot answer in time (its database or Kafka away) leaves its gauge out of this scrape rather than stalling /metrics.
  const wrapped = (result: ObservableResult) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${ARCA_METRICS[metric].name}: no answer within ${timeoutMs} ms`)), timeoutMs); });
    return Promise.race([Promise.resolve(callback((value, labels) => result.observe(value, labels))), late]).finally(() => clearTimeout(timer));
  };
  gauge.addCallback(wrapped);
  return () => gauge.removeCallback(wrapped);
}

/**
 * The OpenTelemetry metrics in the Prometheus text format, for a service's `/metrics`; a gauge
 * whose callback failed is left out, and `onError` hears why.
 */
export async function openTelemetryPrometheusText(onError: (error: unknown) => void = () => undefined): Promise<string> {
  const { exporter } = metricsState();
  const { resourceMetrics, errors } = await exporter.collect();
  errors.forEach(onError);
  return new PrometheusSerializer(undefined, false, undefined, true, true).serialize(resourceMetrics);
}

/**
 * One read shared by the gauges one scrape collects together (they are observed one after the
 * other): the first call reads, calls within the next second share its answer.
 */
export function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => (pending ??= read().finally(() => setTimeout(() => { pending = undefined; }, 1000).unref()));
}
